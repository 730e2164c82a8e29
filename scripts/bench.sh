#!/usr/bin/env bash
# The workloads of ../shared/WORKLOADS.md, one command:
#   scripts/bench.sh [W1|W2|W3|W4|knee|all] [--runs N] [--quick] [--w1 VARIANTS:RATES] [--syscalls]
# --syscalls counts each receiver's system calls while it is measured (perf stat on the syscalls
# tracepoints, after its warm-up) and prints them per kill (W1) or per round trip (W2) as 'syscalls' lines.
# --w1 native:2000000,3000000 runs only those W1 variants (ref,single,single-coalesced,native,native-floor,
# native-unicast,native-iouring,single-iouring,aeron) at those rates (0 = unthrottled). native-floor reads the
# same packed datagrams with a blocking JDK socket and only decodes them (no registry, no answers): the floor. -iouring variants run the node on
# Netty's io_uring transport (W2 too: wheelcast-iouring), beside the default epoll ones. knee: the highest offered W1 rate that 3 of 3 runs deliver without
# loss (W1-native, its floor and the JDK reference; Aeron never drops, it pushes back, so its line is its peak). The -unicast variants run the node in unicast mode (bound to 127.0.0.1,
# addressed there instead of the group) beside the multicast ones.
# Builds what it needs, then runs every workload inside a private network namespace (only a
# multicast-enabled lo exists there: nothing reaches a real network), receiver pinned to CPU 1
# and sender to CPU 0, each side in its own JVM. Plain-JDK references run in the same session
# so figures can be quoted as ratios. Writes .hgrm files, logs and summary.json under
# bench/results/<timestamp>/ and ends with one machine-readable line per workload and variant.
set -euo pipefail
SELF=$(readlink -f "$0")
cd "$(dirname "$SELF")/.."
WHAT=all RUNS=3 QUICK=0 W1SPEC= SYSCALLS=${WHEELCAST_BENCH_SYSCALLS:-}
while [ $# -gt 0 ]; do
  case "$1" in
    W1|W2|W3|W4|knee|all) WHAT=$1 ;;
    --runs) RUNS=${2:?}; shift ;;
    --quick) QUICK=1; RUNS=1 ;;
    --w1) W1SPEC=${2:?}; shift ;;
    --syscalls) SYSCALLS=1 ;;
    -h|--help) sed -n '2,12p' "$SELF" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if [ "$(id -u)" != 0 ]; then
  echo "bench.sh: needs root to create a private network namespace (benchmarks never use a real interface)" >&2
  exit 2
fi
if [ -z "${WHEELCAST_BENCH_INNER:-}" ]; then
  if [ ! -f bench/target/benchmarks.jar ] || [ -n "$(find codec engine bench -name '*.java' -newer bench/target/benchmarks.jar | head -1)" ]; then
    echo "bench.sh: building" >&2
    mvn -B -q -DskipTests install
  fi
  # plots.sh runs inside the namespace, where apt cannot reach its mirror: install gnuplot here
  command -v gnuplot >/dev/null || apt-get install -y -qq gnuplot-nox >/dev/null || echo "bench.sh: could not install gnuplot: no plots" >&2
  exec unshare --net env WHEELCAST_BENCH_INNER=1 WHEELCAST_BENCH_SYSCALLS="$SYSCALLS" "$SELF" "$WHAT" --runs "$RUNS" $([ "$QUICK" = 1 ] && echo --quick) \
    $([ -n "$W1SPEC" ] && echo --w1 "$W1SPEC")
fi

ip link set lo up
ip link set lo multicast on
ip route add 224.0.0.0/4 dev lo
# SO_RCVBUF is capped by the host's net.core.rmem_max, which cannot be raised from inside the
# namespace on these kernels: say so when the workloads' 4 MiB would be cut.
RMEM_MAX=$(cat /proc/sys/net/core/rmem_max)
if [ "$RMEM_MAX" -lt 4194304 ]; then
  echo "bench.sh: net.core.rmem_max is $RMEM_MAX: receive buffers are capped below the 4 MiB the workloads ask for (raise it on the host)" >&2
fi

OUT="bench/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
JAR=bench/target/benchmarks.jar
JOPTS=(-Xms1g -Xmx1g -XX:+UseParallelGC -XX:+AlwaysPreTouch -Dio.netty.leakDetection.level=disabled)
MAIN=io.wheelcast.bench.Workloads
# Aeron 1.47 on Java 17 (AeronPeer); bounds checks off as in Aeron's own benchmarks
AERON_JOPTS=(--add-opens java.base/jdk.internal.misc=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens java.base/java.util.zip=ALL-UNNAMED -Dagrona.disable.bounds.checks=true)
rm -rf /dev/shm/wheelcast-aeron-* # a previous run's media drivers, if one was killed
SUMMARY="$OUT/summary.txt"
: > "$SUMMARY"
PIDS=()
VARIANT_JOPTS=() # -Dwc.unicast=true for the -unicast variants
trap 'for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; sleep 0.5; rm -rf /dev/shm/wheelcast-aeron-*' EXIT

log() { printf '%s\n' "$*" >&2; }

# run_pair NAME RECEIVER_ARGS -- SENDER_ARGS ; prints the receiver's and sender's result lines
run_pair() {
  local name=$1; shift
  local recv=() send=()
  while [ "$1" != "--" ]; do recv+=("$1"); shift; done; shift
  send=("$@")
  local t0=$SECONDS
  taskset -c 1 java "${JOPTS[@]}" "${VARIANT_JOPTS[@]}" -cp "$JAR" $MAIN "${recv[@]}" >"$OUT/$name.recv.log" 2>&1 </dev/null &
  local rpid=$!
  PIDS+=("$rpid")
  for _ in $(seq 1 600); do
    grep -q '^ready' "$OUT/$name.recv.log" 2>/dev/null && break
    kill -0 "$rpid" 2>/dev/null || { log "receiver $name died:"; cat "$OUT/$name.recv.log" >&2; return 1; }
    sleep 0.1
  done
  local perfpid=""
  if [ -n "$SYSCALLS" ]; then # from here on: the measured part, the warm-up is done
    perf stat -e 'syscalls:sys_enter_*' -p "$rpid" -o "$OUT/$name.syscalls.txt" >/dev/null 2>&1 &
    perfpid=$!
    sleep 0.5 # perf attaches to every thread before the sender starts
  fi
  taskset -c 0 java "${JOPTS[@]}" "${VARIANT_JOPTS[@]}" -cp "$JAR" $MAIN "${send[@]}" >"$OUT/$name.send.log" 2>&1
  case "${recv[0]}" in
    w2-owner|ref-w2-echo|aeron-w2-echo) kill "$rpid" 2>/dev/null || true ;;
  esac
  wait "$rpid" 2>/dev/null || true
  if [ -n "$perfpid" ]; then
    wait "$perfpid" 2>/dev/null || true
    syscalls_per "$name" >&2
  fi
  grep -h '^result' "$OUT/$name.recv.log" "$OUT/$name.send.log" | sed 's/^result //' | tr '\n' ' '
  echo "pair_took_s=$((SECONDS - t0))" # warm-up included
}

# syscalls_per NAME: the receiver's system calls of pair NAME per kill delivered (W1) or per
# round trip (W2), the busiest first: 'syscalls NAME per=N recvfrom=1.02 sendmsg=0.98 ...'
syscalls_per() {
  local name=$1 n
  n=$(grep -ho '^result.*' "$OUT/$name.recv.log" "$OUT/$name.send.log" | tr ' ' '\n' | sed -n 's/^\(delivered\|count\|round_trips\)=//p' | head -1)
  [ -z "$n" ] && n=$(grep -ho 'count=[0-9]*' "$OUT/$name.send.log" | head -1 | cut -d= -f2)
  [ -z "$n" ] || [ "$n" = 0 ] && { echo "syscalls $name: no count of kills or round trips in its result line"; return; }
  { printf 'syscalls %s per=%d' "$name" "$n"
    awk -v n="$n" '/syscalls:sys_enter_/ { gsub(",", "", $1); sub("syscalls:sys_enter_", "", $2); if ($1 / n >= 0.001) printf "%s %.3f\n", $2, $1 / n }' \
      "$OUT/$name.syscalls.txt" | sort -k2,2gr | awk '{ printf " %s=%s", $1, $2 }'
    echo; } | tee -a "$OUT/syscalls.txt"
}

# median KEY "line1" "line2" ... : median of KEY=value over the lines
median() {
  local key=$1; shift
  printf '%s\n' "$@" | tr ' ' '\n' | grep "^$key=" | cut -d= -f2 | sort -g | awk '{a[NR]=$1} END {if (NR==0) print "na"; else print a[int((NR+1)/2)]}'
}
range() {
  local key=$1; shift
  printf '%s\n' "$@" | tr ' ' '\n' | grep "^$key=" | cut -d= -f2 | sort -g | awk 'NR==1{lo=$1} {hi=$1} END {print lo".."hi}'
}

emit() { echo "$*" | tee -a "$SUMMARY"; }

w1() {
  # Two points per variant keep 'all' under 15 minutes on 2 cores (each receiver warms its JIT
  # for 5-10 s first): a paced rate, and unthrottled (the peak; senders reach 0.15-0.2M
  # datagrams/s, and 2-4M kills/s packed).
  # single-iouring (--w1 single-iouring:100000,0) is left out of the default list for time: it measured
  # worse than epoll (docs/performance.md)
  local variants=(ref single single-coalesced native native-floor native-iouring native-unicast aeron)
  [ -n "$W1SPEC" ] && IFS=, read -r -a variants <<< "${W1SPEC%%:*}"
  for variant in "${variants[@]}"; do
    local rates=(100000 0)
    case $variant in native|native-*|aeron) rates=(1000000 0) ;; esac
    # the coalescing receiver's point is its peak (the target's); --w1 single-coalesced:100000 adds more
    [ "$variant" = single-coalesced ] && rates=(0)
    [ "$QUICK" = 1 ] && rates=(0)
    [ -n "$W1SPEC" ] && IFS=, read -r -a rates <<< "${W1SPEC#*:}"
    for rate in "${rates[@]}"; do
      local results=()
      VARIANT_JOPTS=(); [ "${variant%-unicast}" != "$variant" ] && VARIANT_JOPTS=(-Dwc.unicast=true)
      [ "$variant" = aeron ] && VARIANT_JOPTS=("${AERON_JOPTS[@]}")
      [ "${variant%-iouring}" != "$variant" ] && VARIANT_JOPTS=(-Dwc.transport=IO_URING)
      for r in $(seq 1 "$RUNS"); do
        local name="w1-$variant-$rate-$r" line
        case $variant in
          native-unicast) line=$(run_pair "$name" w1-recv native -- w1-send native "$rate") ;;
          native-floor) line=$(run_pair "$name" floor-w1-recv -- w1-send native "$rate") ;;
          ref) line=$(run_pair "$name" ref-w1-recv -- ref-w1-send "$rate") ;;
          aeron) line=$(run_pair "$name" aeron-w1-recv -- aeron-w1-send "$rate") ;;
          native-iouring) line=$(run_pair "$name" w1-recv native -- w1-send native "$rate") ;;
          single-iouring) line=$(run_pair "$name" w1-recv single -- w1-send single "$rate") ;;
          # the receiver with receiveCoalescing(200 us); one KILL per datagram as in W1-single
          single-coalesced) line=$(run_pair "$name" w1-recv single 200 -- w1-send single "$rate") ;;
          *) line=$(run_pair "$name" w1-recv "$variant" -- w1-send "$variant" "$rate") ;;
        esac
        log "  $name: $line"
        results+=("$line")
      done
      local label="W1-$variant"; [ "$variant" = ref ] && label="W1-jdk-reference"
      VARIANT_JOPTS=()
      emit "$label offered_per_s=$([ "$rate" = 0 ] && echo unthrottled || echo "$rate") sender_offered_per_s=$(median offered_per_s "${results[@]}") delivered_per_s=$(median delivered_per_s "${results[@]}") delivered_range=$(range delivered_per_s "${results[@]}") lost_pct=$(median lost_pct "${results[@]}") recv_cpu_ns_per_kill=$(median recv_cpu_ns_per_kill "${results[@]}") cancelled=$(median cancelled "${results[@]}") runs=$RUNS"
    done
  done
}

w2() {
  # ref-spin (a JDK echo and pinger that both poll non-blocking sockets) is the JVM floor the
  # busy-poll mode is compared with. The spinning-pinger variant separates pinger from owner
  # cost; 'all' leaves it out for time.
  local variants=(ref wheelcast wheelcast-iouring wheelcast-unicast ref-spin wheelcast-busy wheelcast-busy-unicast wheelcast-spin aeron-default aeron-busy-spin)
  [ "$WHAT" = all ] && variants=(ref wheelcast wheelcast-iouring wheelcast-unicast ref-spin wheelcast-busy aeron-default aeron-busy-spin)
  for variant in "${variants[@]}"; do
    local results=()
    VARIANT_JOPTS=(); [ "${variant%-unicast}" != "$variant" ] && VARIANT_JOPTS=(-Dwc.unicast=true)
    [ "${variant#aeron}" != "$variant" ] && VARIANT_JOPTS=("${AERON_JOPTS[@]}")
    [ "${variant%-iouring}" != "$variant" ] && VARIANT_JOPTS=(-Dwc.transport=IO_URING)
    for r in $(seq 1 "$RUNS"); do
      local name="w2-$variant-$r" line
      case $variant in
        wheelcast-unicast) line=$(run_pair "$name" w2-owner -- w2-ping "$OUT/$name.hgrm" false) ;;
        wheelcast-busy-unicast) line=$(run_pair "$name" w2-owner busy -- w2-ping "$OUT/$name.hgrm" true) ;;
        ref) line=$(run_pair "$name" ref-w2-echo -- ref-w2-ping "$OUT/$name.hgrm") ;;
        ref-spin) line=$(run_pair "$name" ref-w2-echo spin -- ref-w2-ping "$OUT/$name.hgrm" true) ;;
        wheelcast|wheelcast-iouring) line=$(run_pair "$name" w2-owner -- w2-ping "$OUT/$name.hgrm" false) ;;
        wheelcast-spin) line=$(run_pair "$name" w2-owner -- w2-ping "$OUT/$name.hgrm" true) ;;
        wheelcast-busy) line=$(run_pair "$name" w2-owner busy -- w2-ping "$OUT/$name.hgrm" true) ;;
        aeron-default) line=$(run_pair "$name" aeron-w2-echo default -- aeron-w2-ping "$OUT/$name.hgrm" default) ;;
        aeron-busy-spin) line=$(run_pair "$name" aeron-w2-echo busy -- aeron-w2-ping "$OUT/$name.hgrm" busy) ;;
      esac
      log "  $name: $line"
      results+=("$line")
    done
    local label="W2-$variant"; [ "$variant" = ref ] && label="W2-jdk-reference"
    [ "$variant" = ref-spin ] && label="W2-jdk-reference-spinning"
    [ "$variant" = wheelcast-spin ] && label="W2-wheelcast-owner-default-pinger-spinning"
    [ "$variant" = wheelcast-busy ] && label="W2-wheelcast-low-latency-busy-poll"
    [ "$variant" = wheelcast-busy-unicast ] && label="W2-wheelcast-low-latency-busy-poll-unicast"
    VARIANT_JOPTS=()
    emit "$label p50_us=$(median p50_us "${results[@]}") p90_us=$(median p90_us "${results[@]}") p99_us=$(median p99_us "${results[@]}") p999_us=$(median p999_us "${results[@]}") max_us=$(median max_us "${results[@]}") p50_range=$(range p50_us "${results[@]}") runs=$RUNS"
  done
}

w3() {
  local it=(-wi 2 -i 4 -f 1); [ "$QUICK" = 1 ] && it=(-wi 2 -i 3 -f 1)
  taskset -c 1 java -jar "$JAR" 'NodeCoreBenchmark|CodecBenchmark|AuthBenchmark|WheelBenchmark|FanOutBenchmark' "${it[@]}" -prof gc -rf json -rff "$OUT/w3-jmh.json" \
    >"$OUT/w3-jmh.log" 2>&1
  grep -E '^(Benchmark|CodecBenchmark|NodeCoreBenchmark|WheelBenchmark|FanOutBenchmark|io\.wheelcast)' "$OUT/w3-jmh.log" | grep -E 'avgt|Benchmark' | grep -vE 'gc\.(count|time|alloc\.rate )' >&2 || true
  python3 - "$OUT/w3-jmh.json" <<'PY' | tee -a "$SUMMARY"
import json, sys
for b in json.load(open(sys.argv[1])):
    name = b["benchmark"].rsplit(".", 1)[1]
    if "FanOutBenchmark" in b["benchmark"]:  # unicast fan-out: one line per member count
        name = "unicast-fanout-members-" + b["params"]["members"]
    ns = b["primaryMetric"]["score"]
    alloc = b.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score", float("nan"))
    print(f"W3-{name} ns_per_op={ns:.1f} bytes_per_op={alloc:.1f}")
PY
  taskset -c 1 java -Xmx3g -XX:+UseParallelGC -cp "$JAR" io.wheelcast.bench.RegistryFootprint | tee -a "$SUMMARY"
}

w4() {
  for loss in 10 30; do
    local results=()
    for r in $(seq 1 "$RUNS"); do
      local name="w4-loss$loss-$r" line
      line=$(run_pair "$name" w4-owner "$loss" -- w4-cancel "$loss" 50000 "$OUT/$name.hgrm")
      log "  $name: $line"
      results+=("$line")
    done
    emit "W4-loss$loss offered_per_s=50000 owner_cancelled=$(median owner_cancelled "${results[@]}") confirmed_pct=$(median confirmed_pct "${results[@]}") confirm_p50_ms=$(median confirm_p50_ms "${results[@]}") confirm_p99_ms=$(median confirm_p99_ms "${results[@]}") runs=$RUNS"
  done
}

# lossless VARIANT RATE: 0 when 3 of 3 runs at RATE deliver every kill (stops at the first loss)
lossless() {
  local variant=$1 rate=$2 r line lost
  for r in 1 2 3; do
    case $variant in
      ref) line=$(run_pair "knee-$variant-$rate-$r" ref-w1-recv -- ref-w1-send "$rate") ;;
      native-floor) line=$(run_pair "knee-$variant-$rate-$r" floor-w1-recv -- w1-send native "$rate") ;;
      *) line=$(run_pair "knee-$variant-$rate-$r" w1-recv "$variant" -- w1-send "$variant" "$rate") ;;
    esac
    lost=$(median lost_pct "$line")
    log "  knee-$variant-$rate-$r: $line"
    [ "$lost" = 0.000 ] || return 1
  done
  return 0
}

# knee VARIANT LABEL LO HI STEP: bisection for the highest offered rate lossless at 3 of 3 runs
knee() {
  local variant=$1 label=$2 good=$3 bad=$4 step=$5 mid
  if lossless "$variant" "$bad"; then
    emit "$label max_zero_loss_per_s=$bad bound=upper_end_of_search runs_per_point=3"
    return
  fi
  if ! lossless "$variant" "$good"; then
    emit "$label max_zero_loss_per_s=below_$good runs_per_point=3"
    return
  fi
  while [ $((bad - good)) -gt "$step" ]; do
    mid=$(( (good + bad) / 2 / step * step ))
    [ "$mid" -le "$good" ] && mid=$((good + step))
    if lossless "$variant" "$mid"; then good=$mid; else bad=$mid; fi
  done
  emit "$label max_zero_loss_per_s=$good first_lossy_per_s=$bad step=$step runs_per_point=3"
}

knees() {
  knee native W1-native 1000000 6000000 250000
  knee native-floor W1-native-floor 1000000 6000000 250000
  knee ref W1-jdk-reference 300000 600000 100000
}

# The targets of the performance issue as ratios of lines measured in this run.
ratios() {
  python3 - "$SUMMARY" <<'PY' | tee -a "$SUMMARY"
import sys
rows = {}
for line in open(sys.argv[1]):
    p = line.split()
    if not p:
        continue
    kv = dict(x.split("=", 1) for x in p[1:] if "=" in x)
    key = p[0] + ("@" + kv["offered_per_s"] if "offered_per_s" in kv else "")
    rows[key] = kv
def num(key, field):
    try:
        return float(rows[key][field])
    except (KeyError, ValueError):
        return None
def ratio(name, a, b, target):
    if a is None or b is None or b == 0:
        print(f"ratio {name}=na target={target}")
    else:
        print(f"ratio {name}={a / b:.2f} ({a:g} / {b:g}) target={target}")
aeron_peak = num("W1-aeron@unthrottled", "delivered_per_s")
ratio("w1_native_knee_vs_aeron_peak", num("W1-native", "max_zero_loss_per_s"), aeron_peak, ">=3")
ratio("w1_native_peak_vs_aeron_peak", num("W1-native@unthrottled", "delivered_per_s"), aeron_peak, "-")
ratio("w1_native_knee_vs_floor_knee", num("W1-native", "max_zero_loss_per_s"), num("W1-native-floor", "max_zero_loss_per_s"), "-")
ratio("w1_native_cpu_vs_floor_cpu_at_1M", num("W1-native@1000000", "recv_cpu_ns_per_kill"), num("W1-native-floor@1000000", "recv_cpu_ns_per_kill"), "-")
ratio("w1_native_knee_vs_3M", num("W1-native", "max_zero_loss_per_s"), 3_000_000, ">=1")
ratio("w1_single_recv_cpu_vs_jdk", num("W1-single@100000", "recv_cpu_ns_per_kill"), num("W1-jdk-reference@100000", "recv_cpu_ns_per_kill"), "<=1.2")
for q in ("p50_us", "p999_us"):
    ratio(f"w2_busy_poll_{q}_vs_jdk_spinning", num("W2-wheelcast-low-latency-busy-poll", q), num("W2-jdk-reference-spinning", q), "<=1.1" if q == "p50_us" else "<=1.0")
    ratio(f"w2_default_{q}_vs_jdk", num("W2-wheelcast", q), num("W2-jdk-reference", q), "<=1.1")
    ratio(f"w2_busy_poll_{q}_vs_aeron_busy_spin", num("W2-wheelcast-low-latency-busy-poll", q), num("W2-aeron-busy-spin", q), "-")
    ratio(f"w2_default_{q}_vs_aeron_default", num("W2-wheelcast", q), num("W2-aeron-default", q), "-")
pair = rows.get("W3-scheduleAndCancelPair", {})
print(f"target w3_schedule_cancel ns_per_op={pair.get('ns_per_op', 'na')} (<=150) bytes_per_op={pair.get('bytes_per_op', 'na')} (0)")
PY
}

# timed SECTION: runs one section and logs how long it took (issue #18 asks 'all' under 20 minutes)
timed() {
  local t0=$SECONDS
  "$1"
  log "bench.sh: $1 took $((SECONDS - t0)) s"
}

log "bench.sh: results in $OUT (runs per point: $RUNS)"
START=$SECONDS
case "$WHAT" in
  W1) timed w1 ;; W2) timed w2 ;; W3) timed w3 ;; W4) timed w4 ;; knee) timed knees ;;
  all) timed w1; timed knees; timed w2; timed w3; timed w4; ratios ;;
esac
emit "bench.sh what=$WHAT runs=$RUNS took_s=$((SECONDS - START))"
python3 - "$SUMMARY" "$OUT/summary.json" <<'PY'
import json, sys
rows = []
for line in open(sys.argv[1]):
    parts = line.split()
    if not parts:
        continue
    row = {"workload": parts[0]}
    for kv in parts[1:]:
        k, _, v = kv.partition("=")
        try:
            row[k] = float(v)
        except ValueError:
            row[k] = v
    rows.append(row)
json.dump(rows, open(sys.argv[2], "w"), indent=1)
PY
scripts/plots.sh "$OUT" >&2 || log "bench.sh: plots.sh failed (above); the figures are in summary.txt"
log "bench.sh: summary in $OUT/summary.txt and summary.json"
