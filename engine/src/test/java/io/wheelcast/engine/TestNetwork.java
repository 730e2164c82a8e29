package io.wheelcast.engine;

import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where socket tests run. scripts/test.sh runs them in a private network namespace whose only
 * interface is a multicast-enabled {@code lo}; elsewhere (a laptop without root) they use the
 * default interface with TTL 0 and loopback, so nothing leaves the host.
 */
final class TestNetwork {
    private TestNetwork() {
    }

    /** Interface for IPv4 tests: $WHEELCAST_TEST_IFACE, else lo when it has multicast, else the default. */
    static String iface() {
        String env = System.getenv("WHEELCAST_TEST_IFACE");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            NetworkInterface lo = NetworkInterface.getByName("lo");
            return lo != null && lo.supportsMulticast() ? "lo" : null;
        } catch (SocketException e) {
            return null;
        }
    }

    /** A random port per test so parallel or leftover nodes never cross-talk. */
    static int port() {
        return 20_000 + ThreadLocalRandom.current().nextInt(20_000);
    }

    static WheelcastNode.Builder builder(int port, long cluster) {
        return WheelcastNode.builder()
                .group("239.255.77." + (1 + port % 250))
                .port(port)
                .clusterId(cluster)
                .networkInterface(iface())
                .ttl(0)
                .loopback(true)
                .heartbeatInterval(java.time.Duration.ofMillis(200));
    }
}
