#!/usr/bin/env python3
"""Lint deploy/ without a Docker engine: promtool on the rules and config,
YAML/JSON structure of compose, Kubernetes and the dashboard, Dockerfile basics."""
import json, pathlib, re, shutil, subprocess, sys, tempfile

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
D = ROOT / "deploy"
errors = []


def check(cond, msg):
    if not cond:
        errors.append(msg)


def promtool(*args):
    r = subprocess.run(["promtool", *args], capture_output=True, text=True)
    check(r.returncode == 0, f"promtool {' '.join(args)}: {r.stdout}{r.stderr}")


if shutil.which("promtool"):
    promtool("check", "rules", str(D / "prometheus/alerts.yml"))
    # The alerts' own tests: each fires on the series that should raise it.
    promtool("test", "rules", str(D / "prometheus/alerts_test.yml"))
    with tempfile.TemporaryDirectory() as tmp:
        cfg = (D / "prometheus/prometheus.yml").read_text().replace("/etc/prometheus/alerts.yml", str(D / "prometheus/alerts.yml"))
        (pathlib.Path(tmp) / "prometheus.yml").write_text(cfg)
        promtool("check", "config", str(pathlib.Path(tmp) / "prometheus.yml"))
else:
    errors.append("promtool not installed (Debian package prometheus)")

alerts = yaml.safe_load((D / "prometheus/alerts.yml").read_text())
names = {r["alert"] for g in alerts["groups"] for r in g["rules"]}
for want in ["NewsmillStageStalled", "NewsmillConsumerLagGrowing", "NewsmillDeadLetterRate", "NewsmillFeedsFailing", "NewsmillNoNewStories", "NewsmillDedupInstancesShareInput", "NewsmillDown", "NewsmillBusRefusingPages", "NewsmillLogDamaged", "NewsmillDedupWindowCapped", "NewsmillWebSubPushesIgnored", "NewsmillArticlesLate"]:
    check(want in names, f"alert {want} missing")

compose = yaml.safe_load((D / "docker-compose.yml").read_text())
for svc in ["kafka", "topics", "fetch", "clean", "dedup", "prometheus", "grafana"]:
    check(svc in compose["services"], f"compose service {svc} missing")
check("healthcheck" in compose["services"]["kafka"], "kafka has no healthcheck")
# Every topic the compose file creates takes what newsmill sends: the
# broker's default max.message.bytes (1 MiB) is below bus.max_message_bytes.
topics_script = compose["services"]["topics"]["command"][0]
creates = [l for l in topics_script.splitlines() if "kafka-topics.sh" in l and "--create" in l]
limit = re.search(r"^\s*max=(\d+)\s*$", topics_script, re.M)
check(limit and int(limit.group(1)) >= 8 * 1024 * 1024 + 64 * 1024, "compose topics: max=<bytes> below bus.max_message_bytes + 64 KiB")
for line in creates:
    check("max.message.bytes=$$max" in line, f"compose topic made without max.message.bytes: {line.strip()}")

docs = [d for d in yaml.safe_load_all((D / "k8s/newsmill.yaml").read_text()) if d]
kinds = [d["kind"] for d in docs]
for k in ["ConfigMap", "Secret", "Deployment", "StatefulSet", "PodDisruptionBudget"]:
    check(k in kinds, f"k8s {k} missing")
config = next(d for d in docs if d["kind"] == "ConfigMap")["data"]["newsmill.toml"]
shutdown = int(re.search(r'shutdown_timeout\s*=\s*"(\d+)s"', config).group(1))
for d in docs:
    if d["kind"] in ("Deployment", "StatefulSet"):
        spec = d["spec"]["template"]["spec"]
        name = d["metadata"]["name"]
        check(spec.get("terminationGracePeriodSeconds", 30) > shutdown, f"{name}: grace period must exceed shutdown_timeout {shutdown}s")
        check(spec.get("securityContext", {}).get("runAsNonRoot") is True, f"{name}: not runAsNonRoot")
        for c in spec["containers"]:
            check("livenessProbe" in c and "readinessProbe" in c, f"{name}: probes missing")
            check("requests" in c.get("resources", {}), f"{name}: resource requests missing")
            # Fetch and dedup keep state on disk: a pod on an empty disk
            # polls everything again, or rebuilds from the changelog.
            if c["args"][-1] in ("fetch", "dedup"):
                claims = [t["metadata"]["name"] for t in d["spec"].get("volumeClaimTemplates", [])]
                data = [m["name"] for m in c.get("volumeMounts", []) if m["mountPath"] == "/var/lib/newsmill/data"]
                check(d["kind"] == "StatefulSet" and data and data[0] in claims, f"{name}: its data dir is not on a claimed volume")
            env = {e["name"]: e for e in c.get("env", [])}
            if c["args"][-1] == "fetch":
                count = env.get("NEWSMILL__FETCHER__SHARD_COUNT", {}).get("value")
                check(count == str(d["spec"]["replicas"]), f"{name}: SHARD_COUNT {count} is not its replicas")
                check("NEWSMILL__FETCHER__SHARD_INDEX" in env, f"{name}: no SHARD_INDEX")
            if c["args"][-1] == "dedup":
                check(d["spec"]["replicas"] == 1, f"{name}: dedup runs as exactly one instance")

dash = json.loads((D / "grafana/newsmill.json").read_text())
check(len(dash["panels"]) >= 8, "dashboard has too few panels")
exprs = " ".join(t["expr"] for p in dash["panels"] for t in p["targets"])
for metric in ["news_messages_received_total", "news_dead_letters_total", "news_kafka_consumer_lag_messages", "news_dedup_verdicts_total", "news_dedup_evictions_total", "news_article_delay_seconds_bucket", "news_fetch_item_age_seconds_bucket"]:
    check(metric in exprs, f"dashboard does not chart {metric}")

dockerfile = (D / "Dockerfile").read_text()
check(re.search(r"^USER\s+(?!root|0\b)", dockerfile, re.M) is not None, "Dockerfile runs as root")
check('"--version"' in dockerfile, "Dockerfile has no --version smoke test")
check(dockerfile.count("FROM ") >= 2, "Dockerfile is not multi-stage")

if errors:
    print("\n".join(errors))
    sys.exit(1)
print(f"deploy checks passed: {len(names)} alert rules, {len(docs)} k8s objects, {len(compose['services'])} compose services, {len(dash['panels'])} panels")
