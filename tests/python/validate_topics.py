#!/usr/bin/env python3
"""Read Kafka topics with confluent-kafka (librdkafka, not our Rust client) and
validate every message against schemas/<schema topic>.schema.json.

usage: validate_topics.py BROKERS TOPIC=SCHEMA_TOPIC [...]
Prints "<topic>: N valid" per topic; exits 1 on any invalid message or empty topic."""
import json, pathlib, sys, time, uuid

import jsonschema
from confluent_kafka import Consumer, KafkaError

ROOT = pathlib.Path(__file__).resolve().parents[2]


def main():
    brokers, pairs = sys.argv[1], [a.split("=", 1) for a in sys.argv[2:]]
    failed = False
    for topic, schema_topic in pairs:
        schema = json.loads((ROOT / "schemas" / f"{schema_topic}.schema.json").read_text())
        validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
        consumer = Consumer({
            "bootstrap.servers": brokers,
            "group.id": f"py-validate-{uuid.uuid4()}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "session.timeout.ms": 6000,
        })
        consumer.subscribe([topic])
        valid, invalid, idle_since = 0, 0, time.time()
        while time.time() - idle_since < 8:
            msg = consumer.poll(1.0)
            if msg is None:
                continue
            if msg.error():
                if msg.error().code() != KafkaError._PARTITION_EOF:
                    print(f"{topic}: error {msg.error()}", file=sys.stderr)
                continue
            idle_since = time.time()
            errors = list(validator.iter_errors(json.loads(msg.value())))
            if errors or msg.key() is None:
                invalid += 1
                print(f"{topic}@{msg.partition()}:{msg.offset()} invalid: {[e.message for e in errors]}", file=sys.stderr)
            else:
                valid += 1
        consumer.close()
        print(f"{topic}: {valid} valid, {invalid} invalid")
        failed |= invalid > 0 or valid == 0
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
