#!/usr/bin/env bash
# The test command. Installs what it needs, resolves Maven dependencies online, then runs the
# whole build offline. As root the build runs inside a private network namespace (only lo and a
# veth pair exist there), so no test datagram can reach a real network. Without root, socket
# tests use TTL 0 and loopback delivery, which also stay on this host.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'test.sh: %s\n' "$*" >&2; }

if [ "$(id -u)" = 0 ]; then
  missing=()
  command -v unshare >/dev/null || missing+=(util-linux)
  command -v ip >/dev/null || missing+=(iproute2)
  command -v nft >/dev/null || missing+=(nftables)
  command -v mvn >/dev/null || missing+=(maven)
  command -v curl >/dev/null || missing+=(curl)
  # The observability check: capture, dissector, exposition lint, JSON replies.
  command -v tshark >/dev/null || missing+=(tshark)
  command -v tcpdump >/dev/null || missing+=(tcpdump)
  command -v promtool >/dev/null || missing+=(prometheus)
  command -v jq >/dev/null || missing+=(jq)
  # The no-multicast LAN scenario's DNS server (LanScenarioIT runs offline, inside the namespace).
  command -v dnsmasq >/dev/null || missing+=(dnsmasq-base)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

# Online: every plugin and dependency, and the JUnit provider (the codec tests open no socket).
log "resolving dependencies (online)"
mvn -B -q -DskipTests install
mvn -B -q -pl codec surefire:test >/dev/null

MVN=(mvn -B -o verify "$@")
if [ "$(id -u)" = 0 ] && unshare --net true 2>/dev/null; then
  log "running the build in a private network namespace"
  unshare --net bash -c '
    set -e
    ip link set lo up
    ip link set lo multicast on
    ip route add 224.0.0.0/4 dev lo
    # IPv6 multicast does not loop back on lo here; a veth pair carries it.
    ip link add va type veth peer name vb
    sysctl -qw net.ipv6.conf.va.accept_dad=0 net.ipv6.conf.vb.accept_dad=0 || true
    ip link set va up
    ip link set vb up
    for i in $(seq 1 50); do ip -6 addr show dev va scope link | grep -q fe80 && break; sleep 0.1; done
    export WHEELCAST_TEST_IFACE=lo WHEELCAST_TEST_V6_IFACE=va WHEELCAST_IN_NETNS=1
    exec "$@"' bash "${MVN[@]}"
else
  log "no private network namespace (needs root): socket tests are skipped unless lo has multicast or WHEELCAST_TEST_IFACE is set"
  "${MVN[@]}"
fi

if [ "$(id -u)" = 0 ] && unshare --net true 2>/dev/null; then
  log "observability check: tshark with the Wireshark dissector, promtool, JSON replies"
  scripts/observe-check.sh
fi
