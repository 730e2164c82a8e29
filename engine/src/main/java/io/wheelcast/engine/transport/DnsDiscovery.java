package io.wheelcast.engine.transport;

import io.netty.channel.EventLoop;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import io.netty.util.concurrent.Future;
import io.wheelcast.engine.Counter;
import io.wheelcast.engine.config.NodeConfig;
import io.wheelcast.engine.config.UnicastConfig;
import io.wheelcast.engine.counters.Counters;
import io.wheelcast.engine.protocol.NodeCore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Unicast mode's discovery: the seeds and the DNS name, resolved with Netty's asynchronous
 * resolver on the node's own event loop (a lookup never blocks it) and again every refresh
 * period, uncached, so a Kubernetes headless Service's records are followed as pods come and
 * go. Each round replaces the candidate addresses in the {@link NodeCore}. A name that answers
 * nothing is retried and counted ({@code discovery_failures}); the log says so once, and once
 * when it answers again.
 */
final class DnsDiscovery {
    private static final Logger LOG = LoggerFactory.getLogger(DnsDiscovery.class);

    private final EventLoop loop;
    private final UnicastConfig settings;
    private final NodeCore core;
    private final Counters counters;
    private final DnsNameResolver resolver;
    private final List<InetSocketAddress> literalSeeds = new ArrayList<>();
    private final List<InetSocketAddress> namedSeeds = new ArrayList<>();
    private boolean failing;
    private boolean closed;

    DnsDiscovery(EventLoop loop, TransportSelector.Kind transport, boolean ipv6, UnicastConfig settings, NodeCore core,
                 Counters counters) {
        this.loop = loop;
        this.settings = settings;
        this.core = core;
        this.counters = counters;
        for (InetSocketAddress seed : settings.seeds()) {
            (seed.isUnresolved() ? namedSeeds : literalSeeds).add(seed);
        }
        if (settings.needsResolver()) {
            DnsNameResolverBuilder b = new DnsNameResolverBuilder(loop)
                    .datagramChannelFactory(() -> TransportSelector.newChannel(transport, ipv6))
                    .resolveCache(NoopDnsCache.INSTANCE)
                    .resolvedAddressTypes(ipv6 ? ResolvedAddressTypes.IPV6_PREFERRED : ResolvedAddressTypes.IPV4_ONLY)
                    .queryTimeoutMillis(Math.min(5_000, Math.max(500, settings.refreshMs() / 2)));
            if (settings.dnsServer() != null) {
                b.nameServerProvider(new SingletonDnsServerAddressStreamProvider(settings.dnsServer()))
                        .searchDomains(List.of());
            } else {
                b.nameServerProvider(DnsServerAddressStreamProviders.platformDefault());
            }
            this.resolver = b.build();
        } else {
            this.resolver = null;
        }
    }

    /** First round now, on the loop. */
    void start() {
        loop.execute(this::round);
    }

    void close() {
        loop.execute(() -> {
            closed = true;
            if (resolver != null) {
                resolver.close();
            }
        });
    }

    private void round() {
        if (closed) {
            return;
        }
        if (resolver == null) {
            core.discovered(literalSeeds); // IP-literal seeds only: nothing to look up, nothing to refresh
            return;
        }
        List<InetSocketAddress> found = new ArrayList<>(literalSeeds);
        List<String> failures = new ArrayList<>();
        int[] pending = {namedSeeds.size() + (settings.dnsName() != null ? 1 : 0)};
        Runnable done = () -> {
            if (--pending[0] == 0) {
                finish(found, failures);
            }
        };
        for (InetSocketAddress seed : namedSeeds) {
            lookUp(seed.getHostString(), seed.getPort(), found, failures, done);
        }
        if (settings.dnsName() != null) {
            lookUp(settings.dnsName(), settings.dnsPort(), found, failures, done);
        }
    }

    private void lookUp(String name, int port, List<InetSocketAddress> found, List<String> failures, Runnable done) {
        resolver.resolveAll(name).addListener((Future<List<InetAddress>> f) -> {
            if (f.isSuccess() && !f.getNow().isEmpty()) {
                for (InetAddress a : f.getNow()) {
                    found.add(new InetSocketAddress(a, port));
                }
            } else {
                failures.add(name + (f.cause() == null ? ": no records" : ": " + f.cause().getMessage()));
            }
            done.run();
        });
    }

    private void finish(List<InetSocketAddress> found, List<String> failures) {
        if (closed) {
            return;
        }
        core.discovered(found);
        if (!failures.isEmpty()) {
            counters.add(Counter.DISCOVERY_FAILURES, failures.size());
            if (!failing) {
                LOG.warn("wheelcast discovery: {} (retrying every {} ms; {} address(es) known meanwhile)", failures,
                        settings.refreshMs(), found.size());
            }
        } else if (failing) {
            LOG.info("wheelcast discovery: every seed and name answers again ({} address(es))", found.size());
        }
        failing = !failures.isEmpty();
        loop.schedule(this::round, settings.refreshMs(), TimeUnit.MILLISECONDS);
    }
}
