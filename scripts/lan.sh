#!/usr/bin/env bash
# A simulated wired LAN on one Linux box: N hosts (network namespaces) on one bridge, one
# Wheelcast job server per host. Everything lives inside a private network namespace (and a
# private mount namespace with its own /run): the bridge has no uplink, nothing leaves the box.
#
#   scripts/lan.sh --scenario                 # the 6-host job-timeout story, checked; prints a verdict
#   scripts/lan.sh --scenario --loss 10       # the same with 10% datagram loss on every host (nftables)
#   scripts/lan.sh --scenario --kill-host     # SIGKILL one host mid-run and report its jobs
#   scripts/lan.sh --scenario --attacker      # cluster key on every host; one more host without it replays and forges
#   scripts/lan.sh --scenario --no-multicast  # the bridge drops every multicast frame; nodes run in unicast mode and
#                                             # find each other through a real DNS server (dnsmasq) on the bridge
#   scripts/lan.sh --scenario --subnets 2     # two bridges joined by a router namespace that forwards unicast and no
#                                             # multicast; the nodes run in unicast mode with a seed on each subnet
#   scripts/lan.sh                            # start the LAN and open a shell in it (Ctrl-D tears it down)
#
# Options: --hosts N (6), --jobs N (300), --loss PCT (0), --kill-host, --attacker, --timeout-ms MS (4000), --seed S (1),
#          --capture FILE (tcpdump of every datagram crossing the bridge, for tools/wireshark/wheelcast.lua), --no-multicast,
#          --subnets 1|2, --replicas K (2: how many hosts keep a replica of each timer),
#          --hold-jobs N (200: after the verdict, N 10-minute jobs per host stay armed for the memory report: each
#          host's live timers, replicas and heap after a full GC; replicas per host must stay within 1.25 x N x K),
#          --chaos DURATION (the nemesis run of scripts/chaos.sh instead of the scenario: a job workload for DURATION
#          while hosts are crashed and restarted, paused, partitioned and given loss bursts; then an audit)
set -euo pipefail
SELF=$(readlink -f "$0")
cd "$(dirname "$SELF")/.."
ROOT=$(pwd)
JAR="$ROOT/examples/target/wheelcast-node.jar"

HOSTS=6 JOBS=300 LOSS=0 KILL_HOST=0 SCENARIO=0 TIMEOUT_MS=4000 SEED=1 ATTACKER=0 CAPTURE= NO_MULTICAST=0 SUBNETS=1
REPLICAS=2 HOLD_JOBS=200 CHAOS=
while [ $# -gt 0 ]; do
  case "$1" in
    --scenario) SCENARIO=1 ;;
    --hosts) HOSTS=${2:?--hosts needs a number}; shift ;;
    --jobs) JOBS=${2:?--jobs needs a number}; shift ;;
    --loss) LOSS=${2:?--loss needs a percentage}; shift ;;
    --kill-host) KILL_HOST=1 ;;
    --attacker) ATTACKER=1 ;;
    --timeout-ms) TIMEOUT_MS=${2:?}; shift ;;
    --seed) SEED=${2:?}; shift ;;
    --no-multicast) NO_MULTICAST=1 ;;
    --subnets) SUBNETS=${2:?--subnets needs 1 or 2}; shift ;;
    --replicas) REPLICAS=${2:?--replicas needs a number}; shift ;;
    --hold-jobs) HOLD_JOBS=${2:?--hold-jobs needs a number}; shift ;;
    --chaos) CHAOS=${2:?--chaos needs a duration, e.g. 10m}; shift ;;
    --capture) CAPTURE=$(readlink -f "${2:?--capture needs a file}"); shift ;;
    -h|--help) sed -n '2,24p' "$SELF" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "lan.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case "$HOSTS" in ''|*[!0-9]*) echo "lan.sh: --hosts must be a number" >&2; exit 2 ;; esac
case "$LOSS" in ''|*[!0-9]*) echo "lan.sh: --loss must be an integer percentage" >&2; exit 2 ;; esac
case "$REPLICAS" in ''|*[!0-9]*|0) echo "lan.sh: --replicas must be a number >= 1" >&2; exit 2 ;; esac
case "$HOLD_JOBS" in ''|*[!0-9]*) echo "lan.sh: --hold-jobs must be a number" >&2; exit 2 ;; esac
CHAOS_S=0
if [ -n "$CHAOS" ]; then
  case "$CHAOS" in
    *[0-9]s) CHAOS_S=${CHAOS%s} ;; *[0-9]m) CHAOS_S=$(( ${CHAOS%m} * 60 )) ;; *[0-9]h) CHAOS_S=$(( ${CHAOS%h} * 3600 )) ;;
    *) echo "lan.sh: --chaos wants a duration such as 90s, 10m or 1h" >&2; exit 2 ;;
  esac
  case "$CHAOS_S" in ''|*[!0-9]*) echo "lan.sh: --chaos wants a duration such as 90s, 10m or 1h" >&2; exit 2 ;; esac
  [ "$CHAOS_S" -ge 30 ] || { echo "lan.sh: --chaos needs at least 30s" >&2; exit 2; }
  [ "$ATTACKER" = 0 ] && [ "$KILL_HOST" = 0 ] || { echo "lan.sh: --chaos brings its own faults: no --attacker or --kill-host" >&2; exit 2; }
fi
if [ "$HOSTS" -lt 2 ] || [ "$HOSTS" -gt 50 ]; then echo "lan.sh: --hosts must be in 2..50" >&2; exit 2; fi
if [ "$LOSS" -gt 100 ]; then echo "lan.sh: --loss must be in 0..100" >&2; exit 2; fi
case "$SUBNETS" in 1|2) ;; *) echo "lan.sh: --subnets must be 1 or 2" >&2; exit 2 ;; esac

if [ "$(id -u)" != 0 ]; then
  echo "lan.sh: needs root (it creates network namespaces, veths and a bridge); try: sudo $0 $*" >&2
  exit 2
fi

if [ -z "${WHEELCAST_LAN_INNER:-}" ]; then
  need=()
  command -v ip >/dev/null || need+=(iproute2)
  command -v unshare >/dev/null || need+=(util-linux)
  command -v curl >/dev/null || need+=(curl)
  if { [ "$LOSS" -gt 0 ] || [ -n "$CHAOS" ]; } && ! command -v nft >/dev/null; then need+=(nftables); fi
  if [ -n "$CAPTURE" ] && ! command -v tcpdump >/dev/null; then need+=(tcpdump); fi
  if [ "$NO_MULTICAST" = 1 ]; then
    command -v nft >/dev/null || need+=(nftables)
    command -v dnsmasq >/dev/null || need+=(dnsmasq-base)
  fi
  if [ ${#need[@]} -gt 0 ]; then
    echo "lan.sh: installing ${need[*]}" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
  if [ ! -f "$JAR" ]; then
    echo "lan.sh: building $JAR" >&2
    mvn -B -q -DskipTests install
  fi
  # Private network + mount namespaces: the whole LAN disappears when this process ends.
  exec unshare --net --mount --propagation private env WHEELCAST_LAN_INNER=1 "$SELF" \
    --hosts "$HOSTS" --jobs "$JOBS" --loss "$LOSS" --timeout-ms "$TIMEOUT_MS" --seed "$SEED" \
    $([ "$SCENARIO" = 1 ] && echo --scenario) $([ "$KILL_HOST" = 1 ] && echo --kill-host) \
    $([ "$ATTACKER" = 1 ] && echo --attacker) $([ "$NO_MULTICAST" = 1 ] && echo --no-multicast) --subnets "$SUBNETS" \
    --replicas "$REPLICAS" --hold-jobs "$HOLD_JOBS" ${CHAOS:+--chaos "$CHAOS"} \
    ${CAPTURE:+--capture "$CAPTURE"}
fi

# ---- inside the private namespaces from here on
mount -t tmpfs tmpfs /run
mkdir -p /run/netns
WORK=$(mktemp -d /tmp/wheelcast-lan.XXXXXX)
PIDS=()
SERVERS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip link set lo up
ip link add br0 type bridge
ip link set br0 type bridge mcast_snooping 0
ip addr add 10.77.0.254/24 dev br0
ip link set br0 up
# Host i's address: subnet 10.77.0.0/24, or with --subnets 2 its second half on 10.78.0.0/24.
addr_of() { if [ "$SUBNETS" = 2 ] && [ "$1" -gt $((HOSTS / 2)) ] && [ "$1" -le "$HOSTS" ]; then echo "10.78.0.$1"; else echo "10.77.0.$1"; fi; }
UNICAST=$([ "$NO_MULTICAST" = 1 ] || [ "$SUBNETS" = 2 ] && echo 1 || echo 0)
if [ "$SUBNETS" = 2 ]; then
  # A second bridge and a router namespace with a leg in each: it forwards unicast between the
  # subnets; Linux routes no multicast without a multicast routing daemon, so none crosses.
  ip link add br1 type bridge
  ip link set br1 type bridge mcast_snooping 0
  ip addr add 10.78.0.254/24 dev br1
  ip link set br1 up
  ip netns add r
  for k in 0 1; do
    ip link add "rv$k" type veth peer name "re$k"
    ip link set "re$k" netns r
    ip link set "rv$k" master "br$k" up
  done
  ip netns exec r sh -c "
    ip link set lo up
    ip addr add 10.77.0.253/24 dev re0; ip link set re0 up
    ip addr add 10.78.0.253/24 dev re1; ip link set re1 up
    sysctl -qw net.ipv4.ip_forward=1"
  echo "lan.sh: two subnets (10.77.0.0/24, 10.78.0.0/24) joined by router namespace r (unicast only)" >&2
fi
NODE_ARGS=()
if [ "$NO_MULTICAST" = 1 ]; then
  # The bridge forwards unicast only; the counter shows every multicast frame it refused.
  nft -f - <<NFT
table bridge wheelcast_nomc {
  chain mc {
    type filter hook forward priority 0; policy accept;
    meta pkttype multicast counter drop
  }
}
NFT
  # A real DNS server on the bridge: one name, one A record per host.
  for i in $(seq 1 "$HOSTS"); do echo "$(addr_of "$i") wheelcast.lan"; done >"$WORK/hosts"
  dnsmasq --no-daemon --no-resolv --no-hosts --addn-hosts="$WORK/hosts" --listen-address=10.77.0.254 \
    --bind-interfaces --user=root --pid-file="$WORK/dnsmasq.pid" >"$WORK/dnsmasq.log" 2>&1 &
  PIDS+=($!)
  echo "lan.sh: no multicast on the bridge; dnsmasq on 10.77.0.254 answers wheelcast.lan with $HOSTS addresses" >&2
fi
if [ -n "$CAPTURE" ]; then
  tcpdump -i br0 --immediate-mode -U -w "$CAPTURE" udp 2>"$WORK/tcpdump.log" &
  PIDS+=($!)
  for _ in $(seq 1 50); do grep -q "listening on" "$WORK/tcpdump.log" 2>/dev/null && break; sleep 0.1; done
  echo "lan.sh: capturing every datagram on br0 into $CAPTURE" >&2
fi

URLS=() OUTBOXES=()
KEY_ARGS=()
if [ "$ATTACKER" = 1 ]; then
  umask 077
  printf '1:%s\n' "$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" > "$WORK/cluster.key"
  KEY_ARGS=(--key-file "$WORK/cluster.key")
fi
add_host() { # add_host I : namespace hI with veth eI at $(addr_of I) on its subnet's bridge
  local i=$1 ns="h$1" a bridge=br0 gw=10.77.0.253
  a=$(addr_of "$i")
  case "$a" in 10.78.*) bridge=br1; gw=10.78.0.253 ;; esac
  ip netns add "$ns"
  ip link add "v$i" type veth peer name "e$i"
  ip link set "e$i" netns "$ns"
  ip link set "v$i" master "$bridge" up
  ip netns exec "$ns" sh -c "
    ip link set lo up
    ip addr add $a/24 dev e$i
    ip link set e$i up
    ip route add 224.0.0.0/4 dev e$i"
  if [ "$SUBNETS" = 2 ]; then
    ip netns exec "$ns" ip route add default via "$gw"
  fi
}
# Host $1 drops $3 percent of the UDP datagrams it receives, in nftables table $2 of its namespace.
drop_udp() {
  ip netns exec "h$1" nft -f - <<NFT
table inet $2 {
  chain input {
    type filter hook input priority 0; policy accept;
    meta l4proto udp numgen random mod 100 < $3 drop
  }
}
NFT
}

# Host i's job server, in its namespace; SERVERS[i-1] is its PID. A restart (--chaos) is a new
# process: a new node id, the same address and outbox (appended to).
start_server() {
  local i=$1 ns="h$1"
  if [ "$NO_MULTICAST" = 1 ]; then
    NODE_ARGS=(--unicast --bind "$(addr_of "$i")" --dns wheelcast.lan --dns-server 10.77.0.254:53 --dns-refresh 2s)
  elif [ "$SUBNETS" = 2 ]; then
    NODE_ARGS=(--unicast --bind "$(addr_of "$i")" --seeds "10.77.0.1:45454,$(addr_of "$HOSTS"):45454")
  else
    NODE_ARGS=(--iface "e$i")
  fi
  # a nemesis run logs each takeover decision per timer (engine DEBUG), to explain a lost or doubled job
  local trace=(); [ -n "$CHAOS" ] && trace=(-Dorg.slf4j.simpleLogger.log.io.wheelcast.engine.protocol.Failover=debug
    -Dorg.slf4j.simpleLogger.showDateTime=true -Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS)
  ip netns exec "$ns" java -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 "${trace[@]}" -jar "$JAR" job-server \
    "${NODE_ARGS[@]}" --replicas "$REPLICAS" --cluster 4242 --http-port 8080 --cancel-timeout 5s --outbox "$WORK/$ns/outbox.jsonl" "${KEY_ARGS[@]}" \
    >>"$WORK/$ns/server.log" 2>&1 &
  PIDS+=($!)
  SERVERS[$((i-1))]=$! # host i's job server, whatever else PIDS holds (dnsmasq, tcpdump)
  disown "$!" # --kill-host and --chaos SIGKILL them: no "Killed" job notice in the report
}

for i in $(seq 1 "$HOSTS"); do
  ns="h$i"
  add_host "$i"
  if [ "$LOSS" -gt 0 ]; then
    drop_udp "$i" wheelcast_loss "$LOSS"
  fi
  mkdir -p "$WORK/$ns"
  start_server "$i"
  URLS+=("http://$(addr_of "$i"):8080")
  OUTBOXES+=("$WORK/$ns/outbox.jsonl")
done

echo "lan.sh: $HOSTS hosts on bridge br0 (10.77.0.1-$HOSTS), loss ${LOSS}%, logs in $WORK" >&2
for i in $(seq 1 "$HOSTS"); do
  ok=0
  for _ in $(seq 1 150); do
    if curl -sf -m 1 "http://$(addr_of "$i"):8080/health" >/dev/null 2>&1; then ok=1; break; fi
    if ! kill -0 "${SERVERS[$((i-1))]}" 2>/dev/null; then break; fi
    sleep 0.2
  done
  if [ "$ok" != 1 ]; then
    echo "lan.sh: host h$i did not start; its log:" >&2
    cat "$WORK/h$i/server.log" >&2
    exit 1
  fi
done
echo "lan.sh: all job servers up" >&2

join() { local IFS=,; echo "$*"; }

# Each live host's live timers, replicas and heap after a full GC (jcmd GC.run), with the held
# jobs armed; fails if a host keeps more than 1.25 x HOLD_JOBS x REPLICAS replicas (bounded
# replicas: cluster timers x k / hosts, each host's share of the rendezvous).
memory_report() {
  local jcmd i m live replicas heap max=0 min= total=0 n=0 bound k
  sleep 3 # replication of the held jobs settles; the scenario's finished replicas pass their grace
  jcmd="$(dirname "$(readlink -f "$(command -v java)")")/jcmd"
  echo "memory with $HOLD_JOBS held jobs per host, replicas($REPLICAS):"
  for i in $(seq 1 "$HOSTS"); do
    kill -0 "${SERVERS[$((i-1))]}" 2>/dev/null || continue
    [ -x "$jcmd" ] && "$jcmd" "${SERVERS[$((i-1))]}" GC.run >/dev/null 2>&1 || true
    m=$(curl -sf "http://$(addr_of "$i"):8080/metrics" || true)
    live=$(printf '%s\n' "$m" | awk '/^wheelcast_live_timers[{ ]/ {print int($2)}')
    replicas=$(printf '%s\n' "$m" | awk '/^wheelcast_replicas[{ ]/ {print int($2)}')
    heap=$(printf '%s\n' "$m" | awk '/^jvm_memory_used_bytes[{].*area="heap"/ {s += $NF} END {printf "%.1f", s / 1048576}')
    printf '  h%-3s live_timers=%-6s replicas=%-6s heap_after_gc_mb=%s\n' "$i" "${live:-?}" "${replicas:-?}" "$heap"
    replicas=${replicas:-0}
    total=$((total + replicas)); n=$((n + 1))
    [ "$replicas" -gt "$max" ] && max=$replicas
    if [ -z "$min" ] || [ "$replicas" -lt "$min" ]; then min=$replicas; fi
  done
  k=$REPLICAS
  [ "$k" -gt $((n - 1)) ] && k=$((n - 1)) # every other host holds every timer
  bound=$((HOLD_JOBS * k * 5 / 4))
  echo "replicas per host: min=$min mean=$((total / (n > 0 ? n : 1))) max=$max (expected mean $HOLD_JOBS x $k = $((HOLD_JOBS * k)), bound $bound; a replica of every timer on every host would be $((HOLD_JOBS * (n - 1))))"
  if [ "$max" -gt "$bound" ] || [ "$n" -eq 0 ]; then
    echo "memory: FAIL a host keeps more replicas than the bound"
    return 1
  fi
  echo "memory: OK"
}

# ---- the nemesis (--chaos): one fault at a time, now and then a loss burst beside it, each
# logged with its start and end (epoch ms) for the auditor; seeded by --seed.
now_ms() { date +%s%3N; }
log_fault() { echo "$(now_ms) $1 $2 $3" >>"$FAULTS"; echo "nemesis: $1 $2 $3" >&2; }
wait_health() {
  for _ in $(seq 1 100); do
    curl -sf -m 1 "http://$(addr_of "$1"):8080/health" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "nemesis: host h$1 did not come back" >&2
}
# UDP of the protocol (port 45454) from the listed addresses is dropped in host i's namespace.
cut_off() {
  local i=$1; shift
  ip netns exec "h$i" nft -f - <<NFT
table inet wheelcast_part {
  chain input {
    type filter hook input priority 0; policy accept;
    ip saddr { $(echo "$@" | tr ' ' ',') } udp dport 45454 drop
  }
}
NFT
}
loss_burst() { # hosts (comma list), percent, seconds
  local who=$1 pct=$2 secs=$3 i
  log_fault start loss "$who@$pct"
  for i in ${who//,/ }; do drop_udp "$i" wheelcast_burst "$pct"; done
  sleep "$secs"
  for i in ${who//,/ }; do ip netns exec "h$i" nft delete table inet wheelcast_burst 2>/dev/null || true; done
  log_fault end loss "$who@$pct"
}
nemesis() {
  local until=$(( $(date +%s) + CHAOS_S - 10 )) kind i d k a b pid burst=
  RANDOM=$SEED
  while [ "$(date +%s)" -lt "$until" ]; do
    sleep $(( 2 + RANDOM % 4 ))
    if [ $(( RANDOM % 4 )) = 0 ] && { [ -z "$burst" ] || ! kill -0 "$burst" 2>/dev/null; }; then
      loss_burst "$(( 1 + RANDOM % HOSTS ))" $(( 10 + RANDOM % 41 )) $(( 3 + RANDOM % 13 )) &
      burst=$!
    fi
    case $(( RANDOM % 4 )) in
      0) kind=crash ;; 1) kind=pause ;; 2) kind=partition ;; *) kind=loss ;;
    esac
    i=$(( 1 + RANDOM % HOSTS ))
    case $kind in
      crash)
        log_fault start crash "$i"
        kill -KILL "${SERVERS[$((i-1))]}" 2>/dev/null || true
        sleep $(( 1 + RANDOM % 5 ))
        start_server "$i"
        wait_health "$i"
        log_fault end crash "$i" ;;
      pause)
        pid=${SERVERS[$((i-1))]}
        d=$(( 1 + RANDOM % 10 ))
        log_fault start pause "$i"
        kill -STOP "$pid"
        sleep "$d"
        kill -CONT "$pid"
        log_fault end pause "$i" ;;
      partition)
        k=$(( 1 + RANDOM % (HOSTS - 1) )) a=() b=()
        for j in $(seq 1 "$HOSTS"); do
          if [ "${#a[@]}" -lt "$k" ] && [ $(( RANDOM % 2 )) = 0 ] || [ $(( HOSTS - j + 1 )) -le $(( k - ${#a[@]} )) ]; then a+=("$j"); else b+=("$j"); fi
        done
        d=$(( 5 + RANDOM % 16 ))
        local sides="$(echo "${a[@]}" | tr ' ' ,)/$(echo "${b[@]}" | tr ' ' ,)"
        log_fault start partition "$sides"
        for j in "${a[@]}"; do cut_off "$j" $(for x in "${b[@]}"; do addr_of "$x"; done); done
        for j in "${b[@]}"; do cut_off "$j" $(for x in "${a[@]}"; do addr_of "$x"; done); done
        sleep "$d"
        for j in $(seq 1 "$HOSTS"); do ip netns exec "h$j" nft delete table inet wheelcast_part 2>/dev/null || true; done
        log_fault end partition "$sides" ;;
      loss)
        a=$(( 1 + RANDOM % HOSTS )); b=$(( 1 + RANDOM % HOSTS ))
        loss_burst "$a$([ "$a" != "$b" ] && echo ",$b")" $(( 10 + RANDOM % 41 )) $(( 3 + RANDOM % 13 )) ;;
    esac
  done
  [ -n "$burst" ] && wait "$burst" 2>/dev/null || true
  echo "nemesis: done" >&2
}

if [ -n "$CHAOS" ]; then
  FAULTS="$WORK/faults.log"
  : >"$FAULTS"
  java -jar "$JAR" chaos-workload --hosts "$(join "${URLS[@]}")" --outboxes "$(join "${OUTBOXES[@]}")" \
    --duration "${CHAOS_S}s" --faults "$FAULTS" --seed "$SEED" >"$WORK/chaos.txt" 2>&1 &
  WORKLOAD=$!
  PIDS+=($WORKLOAD)
  echo "lan.sh: chaos for ${CHAOS_S} s on $HOSTS hosts ($([ "$UNICAST" = 1 ] && echo unicast || echo multicast)), seed $SEED; faults in $FAULTS" >&2
  nemesis
  set +e
  wait "$WORKLOAD"
  rc=$?
  set -e
  cat "$WORK/chaos.txt"
  exit "$rc"
fi

if [ "$SCENARIO" = 1 ]; then
  KILL_ARGS=()
  if [ "$KILL_HOST" = 1 ]; then KILL_ARGS=(--kill-pid "${SERVERS[1]}" --kill-index 1); fi
  if [ "$ATTACKER" = 1 ]; then
    a=$((HOSTS + 1))
    add_host "$a"
    ip netns exec "h$a" java -XX:TieredStopAtLevel=1 -jar "$JAR" attack --iface "e$a" --cluster 4242 \
      --duration "$(( (TIMEOUT_MS + 2000) / 1000 + 4 ))s" >"$WORK/attacker.log" 2>&1 &
    PIDS+=($!)
    ATTACK_PID=$!
    echo "lan.sh: attacker h$a (10.77.0.$a, no key) is listening, replaying and forging" >&2
  fi
  set +e
  java -jar "$JAR" lan-scenario --hosts "$(join "${URLS[@]}")" --outboxes "$(join "${OUTBOXES[@]}")" \
    --jobs "$JOBS" --timeout-ms "$TIMEOUT_MS" --seed "$SEED" --loss "$LOSS" --hold-jobs "$HOLD_JOBS" "${KILL_ARGS[@]}" | tee "$WORK/verdict.txt"
  rc=${PIPESTATUS[0]}
  set -e
  if [ "$HOLD_JOBS" -gt 0 ]; then
    memory_report || rc=1
    tail -1 "$WORK/verdict.txt" # the verdict stays the last line
  fi
  if [ "$UNICAST" = 1 ]; then
    if [ "$NO_MULTICAST" = 1 ]; then
      dropped=$(nft list chain bridge wheelcast_nomc mc | awk '/counter/ {for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1)}')
      echo "multicast frames dropped by the bridge: ${dropped:-?}"
    fi
    for i in $(seq 1 "$HOSTS"); do
      m=$(curl -sf "http://$(addr_of "$i"):8080/metrics" || true)
      printf 'h%s %s  ' "$i" "$(printf '%s\n' "$m" | awk '/^wheelcast_live_members[{ ]/ {printf "live_members=%d", $2} /^wheelcast_unicast_destinations[{ ]/ {printf " destinations=%d", $2}')"
    done
    echo
    tail -1 "$WORK/verdict.txt" # the verdict stays the last line
  fi
  if [ "$ATTACKER" = 1 ]; then
    wait "$ATTACK_PID" 2>/dev/null || true
    cat "$WORK/attacker.log"
    m=$(curl -sf http://10.77.0.1:8080/metrics || true)
    for c in reject_auth_missing reject_auth_bad_tag reject_stale_timestamp duplicate_datagrams reject_too_short reject_bad_magic timers_cancelled_remotely; do
      printf '%s ' "host1 $c=$(printf '%s\n' "$m" | awk -v n="wheelcast_${c}_total" '$1==n || index($1, n "{")==1 {print $2}')"
    done
    echo
    tail -1 "$WORK/verdict.txt" | sed 's/^verdict:/verdict (under attack):/'
  fi
  exit "$rc"
fi

cat >&2 <<HELP

The LAN is up. In this shell:
  curl -XPOST 'http://10.77.0.1:8080/jobs?timeout=30s&id=job-1'
  curl -XDELETE http://10.77.0.4:8080/jobs/job-1
  curl http://10.77.0.2:8080/metrics
  ip netns exec h3 java -jar $JAR listen --iface e3
  ip netns exec h5 java -jar $JAR kill job-1 --iface e5 --cluster 4242
Outboxes: $WORK/h*/outbox.jsonl. Exit the shell (Ctrl-D) to tear everything down.
HELP
if [ -t 0 ]; then
  PS1='wheelcast-lan# ' bash --norc -i || true
else
  echo "lan.sh: no terminal; waiting for Ctrl-C" >&2
  wait
fi
