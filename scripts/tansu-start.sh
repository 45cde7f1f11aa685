#!/usr/bin/env bash
# Start tansu on 127.0.0.1 on a free port, wait until it answers Kafka
# ApiVersions, and print the bootstrap address on stdout. The PID is written
# to .cache/tansu/tansu-<port>.pid (stop it with scripts/tansu-stop.sh).
# With --watch PID, tansu is also stopped when process PID exits.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$("$root/scripts/tansu-install.sh")"
watch=""
if [ "${1:-}" = "--watch" ]; then watch="$2"; fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
log="$root/.cache/tansu/tansu-$port.log"
pidfile="$root/.cache/tansu/tansu-$port.pid"
# Engine logs are noisy; keep them in a file for post-mortems.
RUST_LOG="${TANSU_LOG:-warn}" setsid "$bin" broker \
  --listener-url "tcp://127.0.0.1:$port" \
  --advertised-listener-url "tcp://127.0.0.1:$port" \
  --storage-engine "memory://tansu/" >"$log" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$pidfile"
if [ -n "$watch" ]; then
  ( while kill -0 "$watch" 2>/dev/null && kill -0 "$pid" 2>/dev/null; do sleep 1; done; kill "$pid" 2>/dev/null; rm -f "$pidfile" ) >/dev/null 2>&1 </dev/null &
fi
# Ready means it answers an ApiVersions request, not just that the port is open.
if ! python3 - "$port" <<'PY'
import socket, struct, sys, time
port = int(sys.argv[1])
deadline = time.time() + 30
while time.time() < deadline:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            body = struct.pack(">hhih", 18, 0, 1, -1)
            s.sendall(struct.pack(">i", len(body)) + body)
            size = struct.unpack(">i", s.recv(4))[0]
            if size > 0 and struct.unpack(">i", s.recv(4))[0] == 1:
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.2)
sys.exit(1)
PY
then
  echo "tansu-start: broker did not answer within 30s; log: $log" >&2
  kill "$pid" 2>/dev/null || true
  exit 1
fi
echo "127.0.0.1:$port"
