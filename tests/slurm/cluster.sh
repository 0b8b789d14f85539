#!/usr/bin/env bash
# A one-node SLURM cluster on this machine, to try hydra/launcher=slurm and to test it:
#   bash tests/slurm/cluster.sh start    # installs slurm and munge (Debian) when missing, starts them
#   export SLURM_CONF=/tmp/actlab-slurm/slurm.conf   # what `start` prints: sbatch, squeue... read it
#   bash tests/slurm/cluster.sh status   # exit status 0 while it runs
#   bash tests/slurm/cluster.sh stop     # stops its daemons, removes its state
# Needs root and apt-get (or slurmctld, slurmd and munged already installed). Everything it
# writes lives in $ACTLAB_SLURM_DIR (default /tmp/actlab-slurm); a cluster's own /etc/slurm is left
# alone. The node has this machine's CPUs and memory, the partition is `debug`, job time limits are
# enforced (the requeue tests need them), and there is no job accounting (sacct fails).
set -euo pipefail
DIR=${ACTLAB_SLURM_DIR:-/tmp/actlab-slurm}
CONF=$DIR/slurm.conf

install() {
    command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v munged >/dev/null \
        && command -v sbatch >/dev/null && return
    command -v apt-get >/dev/null || { echo "no slurmctld, slurmd, munged and no apt-get" >&2; exit 2; }
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
}

write_conf() {
    local host cpus mem
    host=$(hostname -s)
    cpus=$(nproc)
    mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
    mkdir -p "$DIR/state" "$DIR/spool" "$DIR/log"
    cat >"$CONF" <<CONF
ClusterName=actlab
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
# A requeued job may start again 10 s later (SLURM waits out a credential's life, 120 s by default).
AuthInfo=cred_expire=10
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1024
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
# Quick enough for tests: the time limit is checked every 10 s, a killed job is reaped within 5 s.
InactiveLimit=0
KillWait=5
MinJobAge=30
MessageTimeout=10
SlurmctldTimeout=30
SlurmdTimeout=30
OverTimeLimit=0
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
}

wait_for_node() {
    for _ in $(seq 60); do
        if SLURM_CONF=$CONF sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
            return 0
        fi
        sleep 0.5
    done
    echo "the node did not come up; see $DIR/log/" >&2
    exit 1
}

running() {
    [ -f "$DIR/slurmctld.pid" ] && kill -0 "$(cat "$DIR/slurmctld.pid")" 2>/dev/null
}

start() {
    if running; then
        wait_for_node
        echo "export SLURM_CONF=$CONF"
        return
    fi
    [ "$(id -u)" = 0 ] || { echo "starting a cluster needs root" >&2; exit 2; }
    install
    write_conf
    mkdir -p /run/munge && chown munge:munge /run/munge
    [ -s /etc/munge/munge.key ] || runuser -u munge -- /usr/sbin/mungekey --create 2>/dev/null \
        || runuser -u munge -- dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null
    pgrep -x munged >/dev/null || runuser -u munge -- /usr/sbin/munged
    slurmctld -f "$CONF" -i
    slurmd -f "$CONF"
    wait_for_node
    echo "export SLURM_CONF=$CONF"
}

stop() {
    for daemon in slurmd slurmctld; do
        if [ -f "$DIR/$daemon.pid" ]; then
            kill "$(cat "$DIR/$daemon.pid")" 2>/dev/null || true
        fi
    done
    for _ in $(seq 20); do
        pgrep -f "slurm(ctld|d) -f $CONF" >/dev/null || break
        sleep 0.5
    done
    pkill -9 -f "slurm(ctld|d) -f $CONF" 2>/dev/null || true
    # What start wrote, and nothing else of $ACTLAB_SLURM_DIR.
    rm -rf "$DIR/state" "$DIR/spool" "$DIR/log" "$CONF" "$DIR/slurmctld.pid" "$DIR/slurmd.pid"
    rmdir "$DIR" 2>/dev/null || true
}

case "${1:-}" in
    start) start ;;
    status) running ;;
    stop) stop ;;
    *) echo "usage: $0 start|status|stop" >&2; exit 2 ;;
esac
