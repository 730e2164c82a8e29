package io.wheelcast.engine.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Unicast mode's settings ({@link NodeConfig#unicast()} is null in multicast mode): the local address to bind, the seeds
 * (resolved addresses for IP literals, unresolved ones for host names), the DNS name whose
 * A/AAAA records are candidate members (null if none) with their port and refresh period,
 * and the DNS server to ask (null: the system's).
 */
public record UnicastConfig(InetAddress bindAddress, List<InetSocketAddress> seeds, String dnsName, int dnsPort,
                            long refreshMs, InetSocketAddress dnsServer) {
    public UnicastConfig {
        seeds = List.copyOf(seeds);
    }

    /** Whether anything needs a DNS lookup: a host-name seed or a DNS name. */
    public boolean needsResolver() {
        return dnsName != null || seeds.stream().anyMatch(InetSocketAddress::isUnresolved);
    }
}
