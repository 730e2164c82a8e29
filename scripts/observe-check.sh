#!/usr/bin/env bash
# Observability check, end to end, in a private network namespace (nothing leaves the host):
# three job servers on lo, a short workload (hostile job ids included, one classic text kill),
# a tcpdump capture of the group's port, then
#   1. promtool check metrics on every server's /metrics (Micrometer's Prometheus registry);
#   2. every reply is valid JSON and gives the id back (jq);
#   3. tshark with tools/wireshark/wheelcast.lua decodes every datagram with no malformed mark,
#      and the frames per type in the capture match the servers' frames_out counters.
# Usage: scripts/observe-check.sh   (root; needs tshark, tcpdump, promtool, jq, curl)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

if [ "${WHEELCAST_OBSERVE_INNER:-}" != 1 ]; then
  for t in tshark tcpdump promtool jq curl unshare; do
    command -v "$t" >/dev/null || { echo "observe-check: $t is missing" >&2; exit 2; }
  done
  [ -f examples/target/wheelcast-node.jar ] || { echo "observe-check: build first (mvn install)" >&2; exit 2; }
  exec unshare --net env WHEELCAST_OBSERVE_INNER=1 "$0" "$@"
fi

ip link set lo up
ip link set lo multicast on
ip route add 224.0.0.0/4 dev lo
WORK=$(mktemp -d /tmp/wheelcast-observe.XXXXXX)
PORT=45479
GROUP=239.255.77.79
JAR=$ROOT/examples/target/wheelcast-node.jar
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
log() { printf 'observe-check: %s\n' "$*" >&2; }

# start_capture NAME PORT: tcpdump of one UDP port into $WORK/NAME.pcap; its pid in TCPDUMP.
# --immediate-mode matters: without it libpcap holds packets in a ring block for up to a second,
# and a stop in that second lost 3 heartbeats of a clean-clone run.
start_capture() {
  tcpdump -i lo --immediate-mode -U -w "$WORK/$1.pcap" "udp port $2" 2>"$WORK/tcpdump-$1.log" &
  TCPDUMP=$!
  PIDS+=("$TCPDUMP")
  for _ in $(seq 1 50); do grep -q "listening on" "$WORK/tcpdump-$1.log" 2>/dev/null && break; sleep 0.1; done
}
stop_capture() { kill -INT "$TCPDUMP"; wait "$TCPDUMP" 2>/dev/null || true; }

# await_up I...: each job server's /health answers within 15 s, or the check fails with its log.
await_up() {
  local i up
  for i in "$@"; do
    up=0
    for _ in $(seq 1 150); do
      if curl -sf -m 1 "http://127.0.0.1:$((18080 + i))/health" >/dev/null 2>&1; then up=1; break; fi
      sleep 0.1
    done
    if [ "$up" = 0 ]; then
      log "job server $i did not come up within 15 s:"; tail -5 "$WORK/server$i.log" >&2
      echo "observe-check: FAIL (server $i down; files in $WORK)"
      exit 1
    fi
  done
}

start_capture capture "$PORT"

for i in 1 2 3; do
  java -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$JAR" job-server --iface lo --ttl 0 --group "$GROUP" \
    --port "$PORT" --cluster 77 --http-bind 127.0.0.1 --http-port $((18080 + i)) --cancel-timeout 2s \
    --outbox "$WORK/outbox$i.jsonl" >"$WORK/server$i.log" 2>&1 &
  PIDS+=($!)
done
await_up 1 2 3
sleep 1.5 # two heartbeat rounds: the members know each other

# Workload: jobs on each host, half cancelled through another host, hostile ids among them.
FAILS=0
check_json() { # $1 = reply body, $2 = expected id
  if ! printf '%s' "$1" | jq -e --arg id "$2" '.id == $id' >/dev/null 2>&1; then
    log "invalid or wrong JSON reply for id $(printf '%q' "$2"): $1"; FAILS=$((FAILS + 1))
  fi
}
IDS=()
for n in $(seq 1 12); do IDS+=("obs-$n"); done
IDS+=('q"x' 'back\slash' 'caf'$'\xc3\xa9' 'tab'$'\t''id')
k=0
for id in "${IDS[@]}"; do
  k=$((k + 1)); h=$((1 + k % 3)); o=$((1 + (k + 1) % 3))
  enc=$(jq -rn --arg v "$id" '$v|@uri')
  body=$(curl -s -X POST "http://127.0.0.1:$((18080 + h))/jobs?timeout=1500ms&id=$enc" || true)
  check_json "$body" "$id"
  if [ $((k % 2)) = 0 ]; then
    body=$(curl -s -X DELETE "http://127.0.0.1:$((18080 + o))/jobs/$enc" || true)
    check_json "$body" "$id"
  fi
done
# The classic snippet's datagram, as its users send it.
curl -s -X POST "http://127.0.0.1:18081/jobs?timeout=30s&id=text-killed" >/dev/null
printf 'kill:text-killed\n' > "/dev/udp/$GROUP/$PORT"
sleep 3 # the rest fire (1.5 s) and their FIRED / REPLICATED settle

scrape() { # sum of a counter over the three servers
  local name=$1 sum=0 v
  for i in 1 2 3; do
    v=$(awk -v n="$name" '$1==n || index($1, n "{")==1 {print $2}' "$WORK/metrics$i.$2")
    sum=$(awk -v a="$sum" -v b="${v:-0}" 'BEGIN {printf "%d", a + b}')
  done
  echo "$sum"
}
for i in 1 2 3; do curl -sf "http://127.0.0.1:$((18080 + i))/metrics" >"$WORK/metrics$i.before"; done
# Whatever was counted before this point was sent before it; give tcpdump time to take those
# datagrams from the kernel's capture buffer before it stops (it drops what it has not read).
sleep 0.5
stop_capture
for i in 1 2 3; do curl -sf "http://127.0.0.1:$((18080 + i))/metrics" >"$WORK/metrics$i.after"; done

for i in 1 2 3; do
  if ! promtool check metrics <"$WORK/metrics$i.after" >"$WORK/promtool$i.log" 2>&1; then
    log "promtool rejects server $i's /metrics:"; sed 's/^/  /' "$WORK/promtool$i.log" >&2; FAILS=$((FAILS + 1))
  fi
done

LUA=$ROOT/tools/wireshark/wheelcast.lua
TSHARK=(tshark -X "lua_script:$LUA" -o "wheelcast.port:$PORT" -r "$WORK/capture.pcap")
"${TSHARK[@]}" -T fields -E separator=';' -e frame.number -e wheelcast.frame.type -e wheelcast.text_kill \
  -e _ws.expert.message >"$WORK/fields.txt" 2>"$WORK/tshark.log"
datagrams=$(wc -l <"$WORK/fields.txt")
malformed=$("${TSHARK[@]}" -Y '_ws.malformed || _ws.expert.severity >= "Error"' 2>/dev/null | wc -l)
undecoded=$(awk -F';' '$2 == "" && $3 == ""' "$WORK/fields.txt" | wc -l)
text_kills=$(awk -F';' '$3 != ""' "$WORK/fields.txt" | wc -l)
log "capture: $datagrams datagrams, $malformed malformed, $undecoded not decoded as Wheelcast, $text_kills text kill(s)"
[ "$malformed" = 0 ] || { log "malformed datagrams:"; "${TSHARK[@]}" -Y '_ws.malformed || _ws.expert.severity >= "Error"' | head -5 >&2; FAILS=$((FAILS + 1)); }
[ "$undecoded" = 0 ] || { log "datagrams the dissector did not decode: $undecoded"; FAILS=$((FAILS + 1)); }
[ "$text_kills" -ge 1 ] || { log "the text kill is missing from the capture"; FAILS=$((FAILS + 1)); }

printf '%-11s %9s %9s %9s\n' type captured sent_before sent_after >&2
for t in 1:schedule 2:kill 3:kill_ack 4:heartbeat 5:fired 6:replicated 9:settled; do
  code=${t%%:*}; name=${t#*:}
  captured=$(cut -d';' -f2 "$WORK/fields.txt" | tr ',' '\n' | grep -cx "$code" || true)
  before=$(scrape "wheelcast_frames_out_${name}_total" before)
  after=$(scrape "wheelcast_frames_out_${name}_total" after)
  printf '%-11s %9s %9s %9s\n' "$name" "$captured" "$before" "$after" >&2
  if [ "$captured" -lt "$before" ] || [ "$captured" -gt "$after" ]; then
    log "$name: the capture holds $captured frames, the servers counted $before..$after sent"; FAILS=$((FAILS + 1))
  fi
done
# Phase 2: a keyed cluster of two; every datagram must show its authentication tag.
KEYED_PORT=$((PORT + 1))
printf '7:%s\n' "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$WORK/cluster.key"
start_capture keyed "$KEYED_PORT"
for i in 4 5; do
  java -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$JAR" job-server --iface lo --ttl 0 --group "$GROUP" \
    --port "$KEYED_PORT" --cluster 78 --key-file "$WORK/cluster.key" --http-bind 127.0.0.1 --http-port $((18080 + i)) \
    --outbox "$WORK/outbox$i.jsonl" >"$WORK/server$i.log" 2>&1 &
  PIDS+=($!)
done
await_up 4 5
curl -s -X POST "http://127.0.0.1:18084/jobs?timeout=30s&id=keyed-1" >/dev/null || true
curl -s -X DELETE "http://127.0.0.1:18085/jobs/keyed-1" >/dev/null || true
sleep 1
stop_capture
KEYED=(tshark -X "lua_script:$LUA" -o "wheelcast.port:$KEYED_PORT" -r "$WORK/keyed.pcap")
keyed_total=$("${KEYED[@]}" 2>/dev/null | wc -l)
keyed_tagged=$("${KEYED[@]}" -Y 'wheelcast.tag && wheelcast.flags.authenticated == 1' 2>/dev/null | wc -l)
keyed_bad=$("${KEYED[@]}" -Y '_ws.malformed || _ws.expert.severity >= "Error"' 2>/dev/null | wc -l)
keyed_kills=$("${KEYED[@]}" -Y 'wheelcast.frame.type == 2' 2>/dev/null | wc -l)
log "keyed capture: $keyed_total datagrams, $keyed_tagged with their tag shown, $keyed_bad malformed, $keyed_kills with a KILL"
if [ "$keyed_total" -lt 3 ] || [ "$keyed_tagged" != "$keyed_total" ] || [ "$keyed_bad" != 0 ] || [ "$keyed_kills" -lt 1 ]; then
  log "the keyed capture is not fully decoded"; FAILS=$((FAILS + 1))
fi

# Phase 3: unicast mode through the CLI (no group at all): two job servers on their own
# loopback addresses, one seed; the capture must decode, MEMBERS lists included.
UPORT=$((PORT + 2))
start_capture unicast "$UPORT"
for i in 6 7; do
  java -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$JAR" job-server --unicast --bind "127.0.0.3$i" \
    --seeds "127.0.0.36:$UPORT" --port "$UPORT" --cluster 79 --http-bind 127.0.0.1 --http-port $((18080 + i)) \
    --outbox "$WORK/outbox$i.jsonl" >"$WORK/server$i.log" 2>&1 &
  PIDS+=($!)
done
await_up 6 7
sleep 1
curl -s -X POST "http://127.0.0.1:18086/jobs?timeout=30s&id=unicast-1" >/dev/null || true
code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "http://127.0.0.1:18087/jobs/unicast-1" || true)
sleep 0.5
stop_capture
UNI=(tshark -X "lua_script:$LUA" -o "wheelcast.port:$UPORT" -r "$WORK/unicast.pcap")
uni_total=$("${UNI[@]}" 2>/dev/null | wc -l)
uni_bad=$("${UNI[@]}" -Y '_ws.malformed || _ws.expert.severity >= "Error"' 2>/dev/null | wc -l)
uni_members=$("${UNI[@]}" -Y 'wheelcast.frame.type == 7' 2>/dev/null | wc -l)
uni_multicast=$("${UNI[@]}" -Y 'ip.dst >= 224.0.0.0 && ip.dst <= 239.255.255.255' 2>/dev/null | wc -l)
log "unicast capture: $uni_total datagrams, $uni_bad malformed, $uni_members with a MEMBERS list, $uni_multicast multicast; DELETE through the other host: $code"
if [ "$uni_total" -lt 3 ] || [ "$uni_bad" != 0 ] || [ "$uni_members" -lt 1 ] || [ "$uni_multicast" != 0 ] || [ "$code" != 200 ]; then
  log "unicast mode or its capture is wrong (server logs: $WORK/server6.log, server7.log)"; FAILS=$((FAILS + 1))
fi

if [ "$FAILS" = 0 ]; then
  echo "observe-check: OK (captures $WORK/capture.pcap, $WORK/keyed.pcap, $WORK/unicast.pcap)"
else
  echo "observe-check: FAIL ($FAILS problems; files in $WORK)"
  exit 1
fi
