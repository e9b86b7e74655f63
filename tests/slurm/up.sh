#!/usr/bin/env bash
# Start a private single-node SLURM (munged, MariaDB, slurmdbd, slurmctld, slurmd) on loopback.
#
#   eval "$(tests/slurm/up.sh)"          # or: tests/slurm/up.sh && . .slurm/env.sh
#
# Everything (configs, keys, sockets, databases, logs, PID files) lives under $SLURM_STATE_DIR
# (default <repo>/.slurm); no system config or service is touched, so it coexists with a real
# SLURM/munge on the host. Idempotent: daemons whose PID file points at a live process of the
# right binary are left alone, the others are (re)started. Stop with tests/slurm/down.sh, which
# stops exactly these daemons through their PID files. Installs the Debian packages when missing.
# stdout carries only the `export SLURM_CONF=...` line; progress goes to stderr.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
STATE=${SLURM_STATE_DIR:-$REPO/.slurm}
CLUSTER=${SLURM_CLUSTER_NAME:-rlvrci}
PARTITION=${SLURM_PARTITION_NAME:-debug}
START_TIMEOUT=${SLURM_UP_TIMEOUT:-90}
PACKAGES=(slurmctld slurmd slurm-client munge slurmdbd mariadb-server-core mariadb-client-core)
T0=$(date +%s.%N)

log() { echo "[slurm-up] $*" >&2; }
die() { echo "[slurm-up] ERROR: $*" >&2; exit 1; }

install_packages() {
    local missing=0 b
    for b in slurmctld slurmd slurmdbd sbatch sacct sacctmgr munged mungekey mariadbd mariadb-install-db mariadb; do
        command -v "$b" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin command -v "$b" >/dev/null 2>&1 || missing=1
    done
    [[ $missing == 0 ]] && return 0
    command -v apt-get >/dev/null 2>&1 || die "SLURM/munge/MariaDB binaries missing and no apt-get: install ${PACKAGES[*]}"
    [[ $(id -u) == 0 ]] || die "SLURM packages missing: run 'sudo apt-get install -y --no-install-recommends ${PACKAGES[*]}' (or run this script as root)"
    log "installing ${PACKAGES[*]} (apt-get)"
    # policy-rc.d keeps the packages' own system services from starting: we run private daemons only.
    local policy=/usr/sbin/policy-rc.d created_policy=0
    if [[ ! -e $policy ]]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 755 "$policy"; created_policy=1; fi
    export DEBIAN_FRONTEND=noninteractive
    { apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null; }; } ||
        { [[ $created_policy == 1 ]] && rm -f "$policy"; die "apt-get install ${PACKAGES[*]} failed"; }
    [[ $created_policy == 1 ]] && rm -f "$policy"
    return 0
}

# alive NAME: the PID in run/NAME.pid is a live process running the binary recorded at start.
alive() {
    local pidfile=$STATE/run/$1.pid exefile=$STATE/run/$1.exe pid
    [[ -s $pidfile && -s $exefile ]] || return 1
    pid=$(tr -dc 0-9 <"$pidfile")
    [[ -n $pid && -e /proc/$pid ]] || return 1
    [[ $(readlink -f "/proc/$pid/exe" 2>/dev/null) == "$(cat "$exefile")" ]]
}

record_exe() { readlink -f "$(command -v "$2")" >"$STATE/run/$1.exe"; }

# wait_for WHAT CMD...: poll CMD until it succeeds or START_TIMEOUT passes.
wait_for() {
    local what=$1 deadline=$(($(date +%s) + START_TIMEOUT)); shift
    until "$@" >/dev/null 2>&1; do
        (($(date +%s) < deadline)) || die "$what not up after ${START_TIMEOUT}s; see $STATE/log/"
        sleep 0.2
    done
}

free_port() {
    local p
    for _ in $(seq 200); do
        p=$((20000 + RANDOM % 40000))
        grep -qw "$p" "$STATE/ports.env" 2>/dev/null && continue
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
    done
    die "no free TCP port found on 127.0.0.1"
}

render() {  # render TEMPLATE OUT
    sed -e "s|@STATE@|$STATE|g" -e "s|@CLUSTER@|$CLUSTER|g" -e "s|@PARTITION@|$PARTITION|g" \
        -e "s|@HOST@|$HOST|g" -e "s|@USER@|$RUN_USER|g" -e "s|@MUNGE_SOCKET@|$MUNGE_SOCKET|g" \
        -e "s|@CTLD_PORT@|$CTLD_PORT|g" -e "s|@SLURMD_PORT@|$SLURMD_PORT|g" -e "s|@DBD_PORT@|$DBD_PORT|g" \
        -e "s|@DB_PORT@|$DB_PORT|g" -e "s|@DB_PASS@|$DB_PASS|g" -e "s|@CPUS@|$CPUS|g" -e "s|@MEM_MB@|$MEM_MB|g" \
        "$1" >"$2.tmp"
    mv "$2.tmp" "$2"
}

export PATH=$PATH:/usr/sbin:/sbin
install_packages

mkdir -p "$STATE"
STATE=$(cd "$STATE" && pwd)
MUNGE_SOCKET=$STATE/munge/run/munge.socket.2
# Unix socket paths are limited to 108 bytes; slurmd adds "<node>_<job>.<step>" to its spool dir.
((${#STATE} <= 70)) || die "SLURM_STATE_DIR path too long for unix sockets (${#STATE} > 70 chars): $STATE"
mkdir -p "$STATE"/{etc,run,log,ctld,spool,mysql} "$STATE/munge/etc" "$STATE/munge/run" "$STATE/munge/lib"
chmod 0700 "$STATE/munge/etc" "$STATE/munge/lib"
chmod 0755 "$STATE/munge/run" "$STATE/munge"
HOST=$(hostname -s)
RUN_USER=$(id -un)
CPUS=$(nproc)
MEM_MB=$(awk '/MemTotal/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)

# Ports and the DB password are chosen once and kept, so a restart reuses the same cluster.
if [[ ! -s $STATE/ports.env ]]; then
    : >"$STATE/ports.env"
    for v in CTLD_PORT SLURMD_PORT DBD_PORT DB_PORT; do echo "$v=$(free_port)" >>"$STATE/ports.env"; done
    echo "DB_PASS=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')" >>"$STATE/ports.env"
    chmod 600 "$STATE/ports.env"
fi
# shellcheck disable=SC1091
. "$STATE/ports.env"

render "$HERE/slurm.conf.in" "$STATE/etc/slurm.conf"
render "$HERE/slurmdbd.conf.in" "$STATE/etc/slurmdbd.conf"
chmod 600 "$STATE/etc/slurmdbd.conf"  # slurmdbd refuses a readable file holding the DB password
export SLURM_CONF=$STATE/etc/slurm.conf
printf 'export SLURM_CONF=%q\n' "$SLURM_CONF" >"$STATE/env.sh"

# 1. munged, with a private key and socket.
if ! alive munged; then
    [[ -s $STATE/munge/etc/munge.key ]] || mungekey --create --keyfile="$STATE/munge/etc/munge.key"
    chmod 0400 "$STATE/munge/etc/munge.key"
    rm -f "$MUNGE_SOCKET" "$MUNGE_SOCKET.lock"
    record_exe munged munged
    munged --force --socket="$MUNGE_SOCKET" --key-file="$STATE/munge/etc/munge.key" \
        --pid-file="$STATE/run/munged.pid" --log-file="$STATE/log/munged.log" \
        --seed-file="$STATE/munge/lib/munged.seed" </dev/null
    wait_for munged test -S "$MUNGE_SOCKET"
    log "munged up"
fi

# 2. MariaDB on 127.0.0.1 with its own datadir, port and socket.
DB_SOCKET=$STATE/mysql/mysqld.sock
db() { mariadb --no-defaults --socket="$DB_SOCKET" -u root "$@"; }
if ! alive mariadbd; then
    if [[ ! -d $STATE/mysql/data/mysql ]]; then
        rm -rf "$STATE/mysql/data"
        mariadb-install-db --no-defaults --datadir="$STATE/mysql/data" --user="$RUN_USER" \
            --auth-root-authentication-method=socket --skip-test-db \
            --innodb-log-file-size=8M >"$STATE/log/mariadb-install.log" 2>&1 ||
            die "mariadb-install-db failed; see $STATE/log/mariadb-install.log"
    fi
    record_exe mariadbd mariadbd
    setsid mariadbd --no-defaults --datadir="$STATE/mysql/data" --user="$RUN_USER" \
        --bind-address=127.0.0.1 --port="$DB_PORT" --socket="$DB_SOCKET" --skip-name-resolve \
        --pid-file="$STATE/run/mariadbd.pid" --log-error="$STATE/log/mariadbd.log" \
        --innodb-log-file-size=8M --innodb-buffer-pool-size=64M --skip-log-bin \
        </dev/null >>"$STATE/log/mariadbd.log" 2>&1 &
    wait_for mariadbd db -e 'SELECT 1'
    wait_for "mariadbd pid file" test -s "$STATE/run/mariadbd.pid"
    log "mariadbd up"
fi
db -e "CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
       GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';"

# 3. slurmdbd, then register the cluster before slurmctld starts (slurmctld needs it to exist).
if ! alive slurmdbd; then
    record_exe slurmdbd slurmdbd
    slurmdbd </dev/null
    log "slurmdbd started"
fi
wait_for slurmdbd sacctmgr -n list cluster format=cluster
if [[ -z $(sacctmgr -n -P list cluster "$CLUSTER" format=cluster 2>/dev/null) ]]; then
    sacctmgr -i add cluster "$CLUSTER" >/dev/null
fi

# 4. slurmctld and slurmd.
if ! alive slurmctld; then
    record_exe slurmctld slurmctld
    slurmctld </dev/null
    log "slurmctld started"
fi
wait_for slurmctld scontrol ping
if ! alive slurmd; then
    record_exe slurmd slurmd
    slurmd -N "$HOST" </dev/null
    log "slurmd started"
fi

node_state() { sinfo -h -n "$HOST" -o %T 2>/dev/null; }
deadline=$(($(date +%s) + START_TIMEOUT))
until [[ $(node_state) == idle || $(node_state) == mixed || $(node_state) == allocated ]]; do
    case $(node_state) in
        drain* | down*) scontrol update nodename="$HOST" state=resume >/dev/null 2>&1 || true ;;
    esac
    (($(date +%s) < deadline)) || die "node $HOST is '$(node_state)' after ${START_TIMEOUT}s; see $STATE/log/"
    sleep 0.2
done
log "cluster '$CLUSTER' ready: node $HOST $(node_state), partition $PARTITION, $(awk "BEGIN {printf \"%.1f\", $(date +%s.%N) - $T0}")s"
cat "$STATE/env.sh"
