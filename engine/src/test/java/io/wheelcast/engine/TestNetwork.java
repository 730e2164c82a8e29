package io.wheelcast.engine;

import org.junit.jupiter.api.Assumptions;

import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where socket tests run. scripts/test.sh runs them in a private network namespace whose only
 * interface is a multicast-enabled {@code lo}. Elsewhere they are skipped unless
 * WHEELCAST_TEST_IFACE names an interface to use: even with TTL 0, joining a group on a real
 * interface sends IGMP membership reports out of it, and these machines' real interface is
 * on a shared, monitored network.
 */
public final class TestNetwork {
    private TestNetwork() {
    }

    /**
     * Interface for IPv4 tests: $WHEELCAST_TEST_IFACE, else lo when it has multicast; otherwise
     * the calling test is skipped (aborted), never run on a real interface.
     */
    public static String iface() {
        String env = System.getenv("WHEELCAST_TEST_IFACE");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            NetworkInterface lo = NetworkInterface.getByName("lo");
            if (lo != null && lo.supportsMulticast()) {
                return "lo";
            }
        } catch (SocketException e) {
            // fall through to the skip
        }
        Assumptions.abort("socket tests need a multicast-enabled lo: run scripts/test.sh (it makes a private network"
                + " namespace), or set WHEELCAST_TEST_IFACE to an interface you may send multicast on");
        return null;
    }

    /** A random port per test so parallel or leftover nodes never cross-talk; skips the test where sockets may not be used. */
    public static int port() {
        iface();
        return 20_000 + ThreadLocalRandom.current().nextInt(20_000);
    }

    public static WheelcastNodeBuilder builder(int port, long cluster) {
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
