#!/usr/bin/env bash
# How the protocol scales with the cluster: N simulated nodes in virtual time (engine's
# ScaleSimulation on SimulatedLan; no sockets, no packets), each arming 1,000 timers over 40 s
# with a 10% share cancelled from a random other node, then 1% of the nodes crash.
#
#   scripts/scale.sh [--sizes 6,24,100,300,1000] [--multicast-max 100] [--loss 0,10] [--seed N] [--out DIR]
#
# Multicast mode runs up to --multicast-max nodes (every node receives every frame: the
# simulation's cost grows with N^2 per simulated second: 300 nodes would take 15-20 minutes);
# unicast mode (k = 2) runs every size. Prints one 'scale ...' line per run (docs/scale.md says
# what each field means), writes them to DIR/scale.txt and plots DIR/scale-traffic.png and
# DIR/scale-replicas.png with gnuplot (installed when missing, as root).
set -euo pipefail
SELF=$(readlink -f "$0")
cd "$(dirname "$SELF")/.."
SIZES=6,24,100,300,1000 MCAST_MAX=100 LOSS=0,10 SEED=379422 OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) SIZES=${2:?}; shift ;;
    --multicast-max) MCAST_MAX=${2:?}; shift ;;
    --loss) LOSS=${2:?}; shift ;;
    --seed) SEED=${2:?}; shift ;;
    --out) OUT=${2:?}; shift ;;
    -h|--help) sed -n '2,13p' "$SELF" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "scale.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
OUT=${OUT:-bench/results/scale-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
mvn -B -q -DskipTests install -pl codec,engine -am
mvn -B -q -pl engine test-compile dependency:build-classpath -Dmdep.outputFile="$OUT/.cp" -Dmdep.includeScope=test
CP="engine/target/test-classes:engine/target/classes:$(cat "$OUT/.cp")"
# One simulation per (size, mode, loss), each one thread: as many side by side as the box has
# cores, the largest first, so the long 1,000-node runs start at once and the small ones fill
# the other cores around them (one size at a time, each waiting for its slowest run, took 19
# minutes; one after another 24). Each JVM's heap holds the largest size (about 5.3 MB per node).
JOBS=$(nproc)
# Transparent huge pages: the simulation's tables (5.3 GB at 1,000 nodes) are touched at random,
# so TLB misses are a large share of its time; 2 MB pages made the 1,000-node run 1.35x faster.
HEAP=$(( 20 / JOBS ))g
[ "$JOBS" -eq 1 ] && HEAP=12g
one() { # one simulation, its report to .run-N-MODE-LOSS, its progress beside it
  local n=$1 mode=$2 loss=$3 f="$OUT/.run-$1-$2-$3"
  java -Xmx"$HEAP" -XX:+UseParallelGC -XX:ParallelGCThreads=1 -XX:+UseTransparentHugePages -cp "$CP" io.wheelcast.engine.ScaleSimulation "$n" "$mode" "$loss" "$SEED" \
    > "$f" 2> "$f.progress" || { echo "scale.sh: the run of $n nodes ($mode, $loss% loss) failed:" >&2; tail -n 20 "$f.progress" >&2; return 255; }
  echo "scale.sh: $n nodes, $mode, $loss% loss: done ($(sed -n 's/.* real_s=\([0-9.]*\).*/\1/p' "$f") s)" >&2
}
export -f one
export OUT HEAP CP SEED
plan() { # the runs, largest first
  local n mode loss
  for n in $(tr ',' '\n' <<< "$SIZES" | sort -gr); do
    for mode in multicast unicast; do
      [ "$mode" = multicast ] && [ "$n" -gt "$MCAST_MAX" ] && continue
      for loss in ${LOSS//,/ }; do echo "$n $mode $loss"; done
    done
  done
}
: > "$OUT/scale.txt"
start=$(date +%s)
plan | xargs -P "$JOBS" -L 1 bash -c 'one "$0" "$1" "$2"' || { echo "scale.sh: a run failed (above)" >&2; exit 1; }
for n in ${SIZES//,/ }; do # reported smallest first, each size's loss levels, multicast before unicast
  for loss in ${LOSS//,/ }; do
    for mode in multicast unicast; do
      if [ -f "$OUT/.run-$n-$mode-$loss" ]; then tee -a "$OUT/scale.txt" < "$OUT/.run-$n-$mode-$loss"; fi
    done
  done
done
rm -f "$OUT"/.run-*
echo "scale.sh: sweep took $(( $(date +%s) - start )) s; results in $OUT/scale.txt"

if ! command -v gnuplot >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y -qq gnuplot-nox >/dev/null; else echo "scale.sh: gnuplot missing, no plots" >&2; exit 0; fi
fi
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
SERIES=()
for mode in multicast unicast; do
  for loss in ${LOSS//,/ }; do
    f="$OUT/.$mode-$loss.dat"
    grep "mode=$mode loss=$loss%" "$OUT/scale.txt" | while read -r line; do
      echo "$(echo "$line" | field nodes) $(echo "$line" | field recv_dgrams_per_node_s) $(echo "$line" | field replicas_per_node) $(echo "$line" | field replicas_expected)"
    done > "$f"
    [ -s "$f" ] && SERIES+=("$f|$mode, $loss% loss")
  done
done
TRAFFIC="" REPL=""
for s in "${SERIES[@]}"; do
  f=${s%%|*} t=${s#*|}
  TRAFFIC+="${TRAFFIC:+, }\"$f\" using 1:2 with linespoints lw 2 title \"$t\""
  REPL+="${REPL:+, }\"$f\" using 1:3 with linespoints lw 2 title \"$t\""
done
REPL+=", \"$OUT/.unicast-${LOSS%%,*}.dat\" using 1:4 with lines dt 2 title \"live timers x k / N\""
gnuplot <<GP
set terminal pngcairo size 900,520 noenhanced
set output "$OUT/scale-traffic.png"
set title "Datagrams one node receives per second (steady state, 1,000 timers per node, 10% cancelled)"
set logscale xy
set xlabel "nodes"
set ylabel "datagrams received per node per second"
set grid
set key left top
plot 2000 with lines dt 3 title "target at 1,000 nodes: 2,000/s", $TRAFFIC
set output "$OUT/scale-replicas.png"
set title "Replicas per node just before the crash (k = 2; finished ones kept until deadline + grace)"
unset logscale y
set ylabel "replicas per node"
plot $REPL
GP
echo "scale.sh: plots $OUT/scale-traffic.png $OUT/scale-replicas.png"
