#!/usr/bin/env bash
# Stop the daemons tests/slurm/up.sh started, and only those: each is found through its PID file
# under $SLURM_STATE_DIR/run and signalled only if that PID still runs the binary recorded at start
# (a recycled PID is never killed). Jobs still in the queue are cancelled first so that no
# slurmstepd outlives its slurmd. `down.sh --purge` also deletes the state dir.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
STATE=${SLURM_STATE_DIR:-$REPO/.slurm}
PURGE=0
[[ ${1:-} == --purge ]] && PURGE=1
export PATH=$PATH:/usr/sbin:/sbin

log() { echo "[slurm-down] $*" >&2; }

[[ -d $STATE ]] || { log "no state dir $STATE: nothing to stop"; exit 0; }
STATE=$(cd "$STATE" && pwd)

pid_of() {  # pid_of NAME: prints the PID if it is alive and runs the recorded binary
    local pidfile=$STATE/run/$1.pid exefile=$STATE/run/$1.exe pid
    [[ -s $pidfile && -s $exefile ]] || return 1
    pid=$(tr -dc 0-9 <"$pidfile")
    [[ -n $pid && -e /proc/$pid ]] || return 1
    [[ $(readlink -f "/proc/$pid/exe" 2>/dev/null) == "$(cat "$exefile")" ]] || return 1
    echo "$pid"
}

stop() {
    local name=$1 pid i
    pid=$(pid_of "$name") || { rm -f "$STATE/run/$name.pid"; return 0; }
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 100); do
        [[ -e /proc/$pid ]] || break
        sleep 0.1
    done
    if [[ -e /proc/$pid ]]; then
        log "$name (pid $pid) ignored SIGTERM for 10 s: SIGKILL"
        kill -KILL "$pid" 2>/dev/null
    fi
    rm -f "$STATE/run/$name.pid"
    log "stopped $name (pid $pid)"
}

if [[ -s $STATE/etc/slurm.conf ]] && pid_of slurmctld >/dev/null; then
    export SLURM_CONF=$STATE/etc/slurm.conf
    jobs=$(squeue -h -o %A 2>/dev/null | tr '\n' ' ')
    if [[ -n ${jobs// /} ]]; then
        log "cancelling jobs still queued: $jobs"
        # shellcheck disable=SC2086
        scancel $jobs 2>/dev/null
        for _ in $(seq 100); do
            [[ -z $(squeue -h -o %A 2>/dev/null) ]] && break
            sleep 0.2
        done
    fi
fi

for name in slurmd slurmctld slurmdbd mariadbd munged; do stop "$name"; done

if [[ $PURGE == 1 ]]; then
    rm -rf "$STATE"
    log "removed $STATE"
fi
exit 0
