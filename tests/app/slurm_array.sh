#!/usr/bin/env bash
# Runs the array job of a `lenet compare --plan DIR` (DIR/slurm.sbatch) through a single-node
# Slurm started on localhost for this run alone (munged, slurmctld and slurmd in a temporary
# folder, on free ports), waits for every task to end, and stops every daemon it started, by
# its PID (SIGKILL after 5 s), also when something fails. The recipe: /work/shared/TOOLCHAIN.md
# section 9 (Debian slurm-wlm and munge, scripts/setup.sh --test-tools).
# Usage: tests/app/slurm_array.sh DIR
# Exit status: 0 when the array job ended; 77 when Slurm or munge is not installed or this is not
# root (a single-node Slurm runs its jobs as root here); anything else is a failure, with the
# daemons' logs on stderr.
set -euo pipefail

plan=${1:?usage: slurm_array.sh PLAN_DIR}
scale=${LENET_TEST_TIME_SCALE:-1}

missing=()
for tool in munged slurmctld slurmd sbatch squeue sinfo scancel python3; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if ((${#missing[@]})); then
  echo "slurm_array.sh: not installed: ${missing[*]} (scripts/setup.sh --test-tools installs" \
    "slurm-wlm and munge)" >&2
  exit 77
fi
if ((EUID != 0)); then
  echo "slurm_array.sh: a single-node Slurm needs root (slurmd starts the jobs)" >&2
  exit 77
fi

# Every folder munged sees must be o+x on the way down, whatever the umask.
D=$(mktemp -d /tmp/lenet-slurm.XXXXXX)
chmod 755 "$D"
mkdir -p "$D"/{munge,state,spool,log,out}
chmod 755 "$D"/{munge,state,spool,log,out}

munge_pid= ctld_pid= slurmd_pid= job=

# stop PID: SIGTERM, then SIGKILL when it is still there after 5 s.
stop() {
  local pid=$1
  [[ -n $pid ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

finish() {
  local rc=$?
  set +e
  if [[ -n $job && -n $ctld_pid ]]; then scancel "$job" 2>/dev/null; fi
  if ((rc != 0)); then
    echo "slurm_array.sh: failed (exit status $rc); the daemons' logs:" >&2
    tail -n 40 "$D"/log/*.log >&2 2>/dev/null
  fi
  stop "$slurmd_pid"
  stop "$ctld_pid"
  stop "$munge_pid"
  rm -rf -- "$D"
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT TERM

# wait_for SECONDS WHAT COMMAND...: polls COMMAND every 0.2 s until it succeeds.
wait_for() {
  local seconds=$1 what=$2
  shift 2
  local deadline=$((SECONDS + ${seconds%.*}))
  until "$@"; do
    if ((SECONDS > deadline)); then
      echo "slurm_array.sh: $what did not happen within $seconds s" >&2
      return 1
    fi
    sleep 0.2
  done
}
limit() { awk -v s="$scale" -v t="$1" 'BEGIN { printf "%d", s * t }'; }

dd if=/dev/urandom of="$D/munge/munge.key" bs=1024 count=1 status=none
chmod 600 "$D/munge/munge.key"
munged -F --key-file="$D/munge/munge.key" -S "$D/munge/munge.sock" \
  --pid-file="$D/munge/munged.pid" --seed-file="$D/munge/seed" >"$D/log/munged.log" 2>&1 &
munge_pid=$!
wait_for "$(limit 10)" "munged's socket" test -S "$D/munge/munge.sock"

read -r ctld_port slurmd_port < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
node=$(hostname -s)
memory=$(awk '/^MemTotal:/ { m = int($2 / 2048); print (m < 1000 ? m : 1000) }' /proc/meminfo)
cat >"$D/slurm.conf" <<EOF
ClusterName=lenettest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$D/munge/munge.sock
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/log/slurmctld.log
SlurmdLogFile=$D/log/slurmd.log
NodeName=$node NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$D/slurm.conf

# Their output goes to files: a daemon must not hold the pipe of whoever runs this script.
slurmctld -D -c >>"$D/log/slurmctld.log" 2>&1 &
ctld_pid=$!
slurmd -D >>"$D/log/slurmd.log" 2>&1 &
slurmd_pid=$!
idle() { [[ $(sinfo -h -o %t 2>/dev/null) == idle ]]; }
wait_for "$(limit 60)" "the node going idle" idle

job=$(sbatch --parsable --chdir "$D/out" "$plan/slurm.sbatch")
job=${job%%;*}
echo "slurm_array.sh: submitted array job $job"
ended() { [[ -z $(squeue -h -j "$job" 2>/dev/null) ]]; }
wait_for "$(limit 240)" "the array job's end" ended
job=
echo "slurm_array.sh: array job ended; its tasks' output:"
cat "$plan"/logs/*.out
