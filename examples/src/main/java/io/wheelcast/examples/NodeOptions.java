package io.wheelcast.examples;

import io.wheelcast.engine.WheelcastNode;
import io.wheelcast.engine.WheelcastNodeBuilder;
import picocli.CommandLine.Option;

import java.time.Duration;

/** Network options shared by every command. */
final class NodeOptions {
    @Option(names = "--group", description = "Multicast group (default: ${DEFAULT-VALUE}; with --ipv6: ff15::4243).",
            defaultValue = "239.255.42.99")
    String group;

    @Option(names = "--port", description = "UDP port (default: ${DEFAULT-VALUE}).", defaultValue = "45454")
    int port;

    @Option(names = "--iface", description = "Interface name or address (default: first up multicast interface).")
    String iface;

    @Option(names = "--ipv6", description = "Use the IPv6 group ff15::4243 unless --group is given.")
    boolean ipv6;

    @Option(names = "--cluster", description = "Cluster id, unsigned 32-bit (default: ${DEFAULT-VALUE}).", defaultValue = "0")
    long cluster;

    @Option(names = "--ttl", description = "Multicast TTL: 1 = LAN segment, 0 = this host (default: ${DEFAULT-VALUE}).",
            defaultValue = "1")
    int ttl;

    @Option(names = "--accept-text-kills", description = "Treat 'kill:<id>' text datagrams as kills.")
    boolean acceptTextKills;

    @Option(names = "--emit-text-kills", description = "Send a 'kill:<id>' text datagram with each cancel.")
    boolean emitTextKills;

    @Option(names = "--cancel-timeout", description = "How long a cancel waits for the owner, e.g. 2s (default: ${DEFAULT-VALUE}).",
            defaultValue = "2s", converter = DurationConverter.class)
    Duration cancelTimeout;

    @Option(names = "--receive-coalescing", description = {"Wait this long after each read so reads take batches, e.g. 200us",
            "(0 = off, the default): less CPU per kill at high rates, up to that much added latency."},
            defaultValue = "0s", converter = DurationConverter.class)
    Duration receiveCoalescing;

    @Option(names = "--unicast", description = {"Unicast mode, for networks without multicast (Kubernetes, cloud VPCs,",
            "routed subnets): needs --seeds and/or --dns."})
    boolean unicast;

    @Option(names = "--seeds", split = ",", description = "Unicast: seed members, host:port[,host:port...].")
    java.util.List<String> seeds;

    @Option(names = "--dns", description = {"Unicast: a DNS name whose A/AAAA records are the members (all on --port),",
            "e.g. a Kubernetes headless Service; re-resolved every --dns-refresh."})
    String dnsName;

    @Option(names = "--dns-server", description = "Unicast: the DNS server to ask, ip:port (default: the system's).")
    String dnsServer;

    @Option(names = "--dns-refresh", description = "Unicast: how often seeds and --dns are resolved again (default: ${DEFAULT-VALUE}).",
            defaultValue = "10s", converter = DurationConverter.class)
    Duration dnsRefresh;

    @Option(names = "--bind", description = "Unicast: the local address to bind (default: every address).")
    String bind;

    @Option(names = "--replicas", defaultValue = "2", description = {"How many members keep a replica of each timer (default: ${DEFAULT-VALUE}):",
            "a node holds about cluster timers x K / members replicas."})
    int replicas;

    @Option(names = "--key-file", description = {"Cluster key file: one line ID:HEX (32 random bytes recommended),",
            "a second line for the previous key during rotation. Never printed."})
    java.nio.file.Path keyFile;

    /** Keys from --key-file: [current, previous or null], or null without a file. */
    io.wheelcast.codec.ClusterKey[] keys() {
        if (keyFile == null) {
            return null;
        }
        java.util.List<String> lines;
        try {
            lines = java.nio.file.Files.readAllLines(keyFile).stream().map(String::trim)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot read key file " + keyFile + ": " + e.getMessage());
        }
        if (lines.isEmpty() || lines.size() > 2) {
            throw new IllegalArgumentException("key file " + keyFile + " must hold one or two lines ID:HEX");
        }
        return new io.wheelcast.codec.ClusterKey[] {io.wheelcast.codec.ClusterKey.parse(lines.get(0)),
                lines.size() == 2 ? io.wheelcast.codec.ClusterKey.parse(lines.get(1)) : null};
    }

    /**
     * A plain JDK socket bound to the port and joined to the group on the chosen interface, for
     * the tools that read raw datagrams (listen, attack); non-blocking.
     */
    java.nio.channels.DatagramChannel openRawGroupChannel(boolean loopback) throws java.io.IOException {
        java.net.InetAddress group = java.net.InetAddress.getByName(groupAddress());
        boolean v6 = group instanceof java.net.Inet6Address;
        java.net.NetworkInterface ni = io.wheelcast.engine.transport.InterfaceSelector.select(iface, v6);
        java.nio.channels.DatagramChannel ch = java.nio.channels.DatagramChannel.open(
                v6 ? java.net.StandardProtocolFamily.INET6 : java.net.StandardProtocolFamily.INET);
        try {
            ch.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
            ch.setOption(java.net.StandardSocketOptions.IP_MULTICAST_IF, ni);
            ch.setOption(java.net.StandardSocketOptions.IP_MULTICAST_LOOP, loopback);
            ch.setOption(java.net.StandardSocketOptions.IP_MULTICAST_TTL, ttl);
            ch.bind(new java.net.InetSocketAddress(port));
            ch.join(group, ni);
            ch.configureBlocking(false);
            return ch;
        } catch (java.io.IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    String groupAddress() {
        return ipv6 && "239.255.42.99".equals(group) ? "ff15::4243" : group;
    }

    WheelcastNodeBuilder builder() {
        WheelcastNodeBuilder b = WheelcastNode.builder();
        io.wheelcast.codec.ClusterKey[] keys = keys();
        if (keys != null) {
            b.clusterKeys(keys[0], keys[1]);
        }
        if (unicast) {
            b.unicast().discoveryRefresh(dnsRefresh);
            if (seeds != null && !seeds.isEmpty()) {
                b.seeds(seeds.toArray(new String[0]));
            }
            if (dnsName != null) {
                b.dnsDiscovery(dnsName, port, dnsRefresh);
            }
            if (dnsServer != null) {
                b.dnsServer(dnsServer);
            }
            if (bind != null) {
                b.bindAddress(bind);
            }
        } else if (seeds != null || dnsName != null || bind != null) {
            throw new IllegalArgumentException("--seeds, --dns and --bind need --unicast");
        }
        return b
                .group(groupAddress())
                .port(port)
                .networkInterface(iface)
                .clusterId(cluster)
                .ttl(ttl)
                .acceptTextKills(acceptTextKills)
                .emitTextKills(emitTextKills)
                .cancelTimeout(cancelTimeout)
                .receiveCoalescing(receiveCoalescing)
                .replicas(replicas);
    }
}
