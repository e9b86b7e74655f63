#!/usr/bin/env bash
# Start a private single-node Ray head for the Ray launcher tests.
#
#   eval "$(tests/ray_launcher/up.sh)"          # exports RAY_STATE_DIR, RAY_TMPDIR, RAY_ADDRESS
#
# Everything Ray writes (session dirs, sockets, logs, spilled objects, ~/.ray) goes under
# $RAY_STATE_DIR (default: a fresh mktemp dir), so it never meets another Ray on the host and
# `ray stop` (which kills every Ray process of the machine) is never needed: tests/ray_launcher/down.sh stops
# exactly this head's processes, by the process group recorded here. The GCS port is chosen free.
# Ray resolves --node-ip-address=127.0.0.1 to the host's own address (ray._private.services.
# resolve_ip_for_localhost), so RAY_ADDRESS is read back from the address Ray recorded.
# stdout carries only the export lines; progress goes to stderr.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
RAY_BIN=${RAY_BIN:-$REPO/.venv-ray/bin/ray}
NUM_CPUS=${RAY_NUM_CPUS:-2}
START_TIMEOUT=${RAY_UP_TIMEOUT:-120}
T0=$(date +%s.%N)

log() { echo "[ray-up] $*" >&2; }
die() { echo "[ray-up] ERROR: $*" >&2; exit 1; }

[[ -x $RAY_BIN ]] || die "$RAY_BIN missing: 'make test-ray' builds .venv-ray (or set RAY_BIN)"
STATE=${RAY_STATE_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/rlvr-ray.XXXXXX")}
mkdir -p "$STATE"/{home,tmp,run}
STATE=$(cd "$STATE" && pwd)
# Unix socket paths are limited to 108 bytes; Ray's session dir adds ~60 characters.
((${#STATE} <= 40)) || die "RAY_STATE_DIR path too long for Ray's unix sockets (${#STATE} > 40 chars): $STATE"

free_port() {
    local p
    for _ in $(seq 200); do
        p=$((20000 + RANDOM % 40000))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
    done
    die "no free TCP port found on 127.0.0.1"
}
PORT=$(free_port)

# setsid: `ray start` and every daemon it forks (gcs_server, raylet, agents, workers) share one new
# process group whose id is the PID recorded here; down.sh signals that group and nothing else.
HOME=$STATE/home RAY_TMPDIR=$STATE/tmp setsid "$RAY_BIN" start --head --node-ip-address=127.0.0.1 \
    --port="$PORT" --temp-dir="$STATE/tmp" --num-cpus="$NUM_CPUS" --num-gpus=0 \
    --include-dashboard=false --disable-usage-stats </dev/null >"$STATE/run/start.log" 2>&1 &
echo $! >"$STATE/run/ray.pgid"
wait $! || die "ray start failed; see $STATE/run/start.log: $(tail -3 "$STATE/run/start.log")"

deadline=$(($(date +%s) + START_TIMEOUT))
until [[ -s $STATE/tmp/ray_current_cluster ]]; do
    (($(date +%s) < deadline)) || die "no Ray address after ${START_TIMEOUT}s; see $STATE/run/start.log"
    sleep 0.2
done
ADDRESS=$(head -1 "$STATE/tmp/ray_current_cluster")
[[ $ADDRESS == *:"$PORT" ]] || die "Ray recorded $ADDRESS, not port $PORT"
printf 'export RAY_STATE_DIR=%q RAY_TMPDIR=%q RAY_ADDRESS=%q\n' "$STATE" "$STATE/tmp" "$ADDRESS" >"$STATE/env.sh"
log "head up at $ADDRESS ($NUM_CPUS CPUs, state in $STATE), $(awk "BEGIN {printf \"%.1f\", $(date +%s.%N) - $T0}")s"
cat "$STATE/env.sh"
