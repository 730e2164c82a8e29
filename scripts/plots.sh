#!/usr/bin/env bash
# Plots for a bench.sh results directory (installs gnuplot when missing, as root):
#   scripts/plots.sh bench/results/<timestamp> [OUT_DIR]
# w2-percentiles.png: round-trip latency by percentile (HdrHistogram .hgrm, log scale, run 1 of each variant)
# w1-throughput.png:  delivered kills/s against offered rate (medians from summary.txt)
set -euo pipefail
DIR=${1:?usage: scripts/plots.sh RESULTS_DIR [OUT_DIR]}
OUT=${2:-$DIR}
if ! command -v gnuplot >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y -qq gnuplot-nox >/dev/null; else echo "plots.sh: gnuplot missing" >&2; exit 2; fi
fi
mkdir -p "$OUT"
for v in ref wheelcast wheelcast-spin; do
  f="$DIR/w2-$v-1.hgrm"
  [ -f "$f" ] && awk '$1 ~ /^[0-9.]+$/ && $4 ~ /^[0-9.]+$/ {print $4, $1}' "$f" > "$OUT/.w2-$v.dat"
done
gnuplot <<GP
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
plot "$OUT/.w2-ref.dat" using 1:2 with lines lw 2 title "plain JDK echo", \
     "$OUT/.w2-wheelcast.dat" using 1:2 with lines lw 2 title "Wheelcast owner, blocking pinger", \
     "$OUT/.w2-wheelcast-spin.dat" using 1:2 with lines lw 2 title "Wheelcast owner, spinning pinger"
GP
for w in W1-jdk-reference W1-single W1-native; do
  grep "^$w " "$DIR/summary.txt" | sed 's/offered_per_s=unthrottled/offered_per_s=1200000/' \
    | sed -E 's/.*offered_per_s=([0-9]+).*delivered_per_s=([0-9]+).*/\1 \2/' > "$OUT/.$w.dat" || true
done
gnuplot <<GP
set terminal pngcairo size 900,520 noenhanced
set output "$OUT/w1-throughput.png"
set title "W1 delivered kills/s vs offered (rightmost point: unthrottled sender)"
set xlabel "offered kills/s"
set ylabel "delivered kills/s"
set grid
set key left top
set xrange [0:1300000]
plot "$OUT/.W1-jdk-reference.dat" using 1:2 with linespoints lw 2 title "plain JDK, 1 text kill per datagram", \
     "$OUT/.W1-single.dat" using 1:2 with linespoints lw 2 title "Wheelcast, 1 KILL per datagram", \
     "$OUT/.W1-native.dat" using 1:2 with linespoints lw 2 title "Wheelcast, 52 KILLs per datagram"
GP
rm -f "$OUT"/.*.dat
echo "plots.sh: $OUT/w2-percentiles.png $OUT/w1-throughput.png"
