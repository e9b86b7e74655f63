#!/usr/bin/env bash
# Stop the Ray head tests/ray_launcher/up.sh started, and only it: the process group recorded in
# $RAY_STATE_DIR/run/ray.pgid, signalled only while one of its members' command line names
# $RAY_STATE_DIR (a recycled group id is never signalled), SIGTERM then SIGKILL after 10 s.
# Never `ray stop`, which stops every Ray of the host. `down.sh --purge` also deletes the state dir.
set -uo pipefail

PURGE=0
[[ ${1:-} == --purge ]] && PURGE=1
log() { echo "[ray-down] $*" >&2; }

STATE=${RAY_STATE_DIR:-}
[[ -n $STATE && -d $STATE ]] || { log "no RAY_STATE_DIR: nothing to stop"; exit 0; }
STATE=$(cd "$STATE" && pwd)

group() {  # PGID=recorded id, when its group still holds this head's daemons (their command line names $STATE)
    local pgid pid
    pgid=$(tr -dc 0-9 <"$STATE/run/ray.pgid" 2>/dev/null)
    [[ -n $pgid ]] || return 0
    for pid in $(ps -e -o pid=,pgid= | awk -v g="$pgid" '$2 == g {print $1}'); do
        tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$STATE" && { echo "$pgid"; return 0; }
    done
}
# Live members of the group (workers rename themselves `ray::...`, so only the daemons name $STATE;
# a zombie is dead already, waiting for a parent that may never reap it).
ours() { [[ -n $1 ]] && ps -e -o pid=,pgid=,stat= | awk -v g="$1" '$2 == g && $3 !~ /^Z/ {print $1}'; }

PGID=$(group)
pids=$(ours "$PGID")
if [[ -n $pids ]]; then
    kill -TERM -- "-$PGID" 2>/dev/null
    for _ in $(seq 100); do
        [[ -z $(ours "$PGID") ]] && break
        sleep 0.1
    done
    if [[ -n $(ours "$PGID") ]]; then
        log "process group $PGID still up 10 s after SIGTERM (gcs_server and the monitor linger): SIGKILL"
        kill -KILL -- "-$PGID" 2>/dev/null
    fi
    log "stopped the Ray head in $STATE (process group $PGID: pids $(echo $pids))"
fi
rm -f "$STATE/run/ray.pgid"
if [[ $PURGE == 1 ]]; then
    rm -rf "$STATE"
    log "removed $STATE"
fi
exit 0
