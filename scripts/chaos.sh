#!/usr/bin/env bash
# The nemesis run: crashes and restarts, pauses, partitions and loss bursts for minutes on end,
# on the simulated LAN of scripts/lan.sh, while a workload keeps jobs flowing through the job
# servers' HTTP API; then an auditor that trusts only what users saw (HTTP answers, outboxes).
#
#   sudo scripts/chaos.sh --duration 10m [--hosts 6] [--seed N] [--unicast]
#
# --unicast: the bridge drops multicast and the nodes find each other through DNS (lan.sh
# --no-multicast). Prints the faults as they happen, one table row per fault kind (injected,
# job lives touched, violations) and ends 'chaos verdict: OK ...'; exit 0 only then.
set -euo pipefail
SELF=$(readlink -f "$0")
DURATION=10m HOSTS=6 SEED=1 MODE=()
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION=${2:?--duration needs a value, e.g. 10m}; shift ;;
    --hosts) HOSTS=${2:?--hosts needs a number}; shift ;;
    --seed) SEED=${2:?--seed needs a number}; shift ;;
    --unicast) MODE=(--no-multicast) ;;
    -h|--help) sed -n '2,10p' "$SELF" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "chaos.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case "$SEED" in ''|*[!0-9]*) echo "chaos.sh: --seed must be a number" >&2; exit 2 ;; esac
exec "$(dirname "$SELF")/lan.sh" --chaos "$DURATION" --hosts "$HOSTS" --seed "$SEED" --hold-jobs 0 "${MODE[@]}"
