#!/usr/bin/env bash
# Plots for a bench.sh results directory (installs gnuplot when missing, as root):
#   scripts/plots.sh bench/results/<timestamp> [OUT_DIR]
# w2-percentiles.png: round-trip latency by percentile (HdrHistogram .hgrm, log scale, run 1 of each variant)
# w1-throughput.png:  delivered kills/s against the rate the sender reached (medians from summary.txt)
set -euo pipefail
DIR=${1:?usage: scripts/plots.sh RESULTS_DIR [OUT_DIR]}
OUT=${2:-$DIR}
if ! command -v gnuplot >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y -qq gnuplot-nox >/dev/null; else echo "plots.sh: gnuplot missing" >&2; exit 2; fi
fi
mkdir -p "$OUT"
PLOTS=()
for v in ref wheelcast ref-spin wheelcast-spin wheelcast-busy; do
  f="$DIR/w2-$v-1.hgrm"
  [ -f "$f" ] || continue
  awk '$1 ~ /^[0-9.]+$/ && $4 ~ /^[0-9.]+$/ {print $4, $1}' "$f" > "$OUT/.w2-$v.dat"
  case $v in
    ref) t="plain JDK echo" ;;
    ref-spin) t="plain JDK echo and pinger, both spinning" ;;
    wheelcast) t="Wheelcast owner, blocking pinger" ;;
    wheelcast-spin) t="Wheelcast owner, spinning pinger" ;;
    wheelcast-busy) t="Wheelcast busy-poll owner, spinning pinger" ;;
  esac
  PLOTS+=("\"$OUT/.w2-$v.dat\" using 1:2 with lines lw 2 title \"$t\"")
done
W2PLOT=$(IFS=,; echo "${PLOTS[*]}")
MADE=()
[ ${#PLOTS[@]} -gt 0 ] && MADE+=("$OUT/w2-percentiles.png") && gnuplot <<GP
set terminal pngcairo size 900,520 noenhanced
set output "$OUT/w2-percentiles.png"
set title "W2 kill round trip by percentile (loopback multicast, 2-core VM)"
set logscale x
set logscale y
set xlabel "percentile"
set ylabel "round trip (us)"
set xtics ("50%%" 2, "90%%" 10, "99%%" 100, "99.9%%" 1000, "99.99%%" 10000)
set grid
set key left top
plot $W2PLOT
GP
grep -q '^W1-' "$DIR/summary.txt" && for w in W1-jdk-reference W1-single W1-single-coalesced W1-native; do
  # x: the rate the sender actually reached (an unthrottled sender's peak, a paced one's target)
  grep "^$w " "$DIR/summary.txt" \
    | sed -E 's/.*sender_offered_per_s=([0-9]+).*delivered_per_s=([0-9]+).*/\1 \2/' > "$OUT/.$w.dat" || true
done
grep -q '^W1-' "$DIR/summary.txt" && MADE+=("$OUT/w1-throughput.png") && gnuplot <<GP
set terminal pngcairo size 900,520 noenhanced
set output "$OUT/w1-throughput.png"
set title "W1 delivered vs offered kills/s (each curve's rightmost point: unthrottled sender)"
set xlabel "offered kills/s (reached by the sender)"
set ylabel "delivered kills/s"
set logscale xy
set grid
set key left top
plot "$OUT/.W1-jdk-reference.dat" using 1:2 with linespoints lw 2 title "plain JDK, 1 text kill per datagram", \
     "$OUT/.W1-single.dat" using 1:2 with linespoints lw 2 title "Wheelcast, 1 KILL per datagram", \
     "$OUT/.W1-single-coalesced.dat" using 1:2 with linespoints lw 2 title "the same, receiveCoalescing 200 us", \
     "$OUT/.W1-native.dat" using 1:2 with linespoints lw 2 title "Wheelcast, 52 KILLs per datagram", \
     x with lines dt 2 lc rgb "gray" title "delivered = offered"
GP
rm -f "$OUT"/.*.dat
echo "plots.sh: ${MADE[*]:-no W1 or W2 results to plot}"
