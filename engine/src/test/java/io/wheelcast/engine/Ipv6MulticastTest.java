package io.wheelcast.engine;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * IPv6 groups. Multicast on lo does not deliver IPv6 on these kernels; scripts/test.sh creates a
 * veth pair in the test namespace and names it in WHEELCAST_TEST_V6_IFACE.
 */
class Ipv6MulticastTest {
    @Test
    void cancelAcrossNodesOverAnIpv6Group() throws Exception {
        String iface = System.getenv("WHEELCAST_TEST_V6_IFACE");
        Assumptions.assumeTrue(iface != null && !iface.isBlank(),
                "skipped: no IPv6 multicast interface (set WHEELCAST_TEST_V6_IFACE; scripts/test.sh does as root)");
        int port = TestNetwork.port();
        try (WheelcastNode a = v6(iface, port); WheelcastNode b = v6(iface, port)) {
            assertThat(a.groupAddress().getAddress()).isInstanceOf(java.net.Inet6Address.class);
            a.schedule("v6-job", Duration.ofSeconds(5)).toCompletableFuture().get(5, TimeUnit.SECONDS);
            CancelOutcome o = b.cancel("v6-job").toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThat(o).isEqualTo(new CancelOutcome(CancelOutcome.Status.CANCELLED, a.nodeId()));
        }
    }

    private static WheelcastNode v6(String iface, int port) {
        return WheelcastNode.builder().group("ff15::1:2:3").port(port).networkInterface(iface).ttl(1).clusterId(6).start();
    }
}
