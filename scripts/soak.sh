#!/usr/bin/env bash
# Soak run (issue #4): 3 nodes in one JVM, 20% injected inbound loss, 200 timers/s for 5
# minutes, half cancelled from another node. Prints lost timers, wrong outcomes and heap after
# GC at start and end; exits 0 only when nothing was lost or wrong. Runs in a private network
# namespace (root) or on loopback with TTL 0.
#   scripts/soak.sh [--duration 5m] [--loss 20] [--rate 200] [--nodes 3]
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
JAR=examples/target/wheelcast-node.jar
[ -f "$JAR" ] || mvn -B -q -DskipTests install
CMD=(java -Xmx256m -jar "$JAR" soak --ttl 0 --cluster 77 "$@")
if [ "$(id -u)" = 0 ]; then
  exec unshare --net bash -c 'ip link set lo up; ip link set lo multicast on; ip route add 224.0.0.0/4 dev lo; exec "$@"' bash "${CMD[@]}" --iface lo
else
  exec "${CMD[@]}"
fi
