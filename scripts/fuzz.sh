#!/usr/bin/env bash
# The long fuzzing campaign (issue #5): 1,000,000 hostile datagrams (mutated captures, replays,
# noise, signed structural extremes) at a live keyed node over a real socket, inside a private
# network namespace. Prints a "fuzz:" line with the accounting and heap figures.
#   scripts/fuzz.sh [COUNT] [SEED]
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
COUNT=${1:-1000000}
SEED=${2:-20261125}
if [ "$(id -u)" != 0 ]; then echo "fuzz.sh: needs root for a private network namespace" >&2; exit 2; fi
mvn -B -q -DskipTests install
exec unshare --net bash -c 'ip link set lo up; ip link set lo multicast on; ip route add 224.0.0.0/4 dev lo; exec "$@"' bash \
  mvn -B -o -q -pl engine test -Dtest=FuzzCampaignTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dwheelcast.fuzz.count="$COUNT" -Dwheelcast.fuzz.seed="$SEED" -Dsurefire.argLine="-Xmx1g -Dio.netty.leakDetection.level=disabled" \
  -Dsurefire.timeout=3600
