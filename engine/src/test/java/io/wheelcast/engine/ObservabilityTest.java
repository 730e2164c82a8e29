package io.wheelcast.engine;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;

import static org.assertj.core.api.Assertions.assertThat;

/** What operators see without touching the API: the MXBean (as JConsole reads it) and the latency histograms. */
class ObservabilityTest {
    private final List<WheelcastNode> nodes = new ArrayList<>();

    @AfterEach
    void closeAll() {
        nodes.forEach(WheelcastNode::close);
    }

    @Test
    void theMXBeanShowsCountersMembersConfigurationAndCancelLatency() throws Exception {
        int port = TestNetwork.port();
        WheelcastNode owner = TestNetwork.builder(port, 21).jmx(true).start();
        WheelcastNode canceller = TestNetwork.builder(port, 21).jmx(true).start();
        nodes.add(owner);
        nodes.add(canceller);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while ((owner.stats().get(Counter.LIVE_MEMBERS) < 1 || canceller.stats().get(Counter.LIVE_MEMBERS) < 1)
                && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        owner.schedule("observed", Duration.ofSeconds(30)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        CancelOutcome o = canceller.cancel("observed").toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(o.status()).isEqualTo(CancelOutcome.Status.CANCELLED);

        LatencySnapshot rtt = canceller.latency(Latency.CANCEL_ROUND_TRIP);
        assertThat(rtt.count()).as("%s", rtt).isEqualTo(1);
        assertThat(rtt.percentileMicros(50)).as("%s", rtt).isPositive().isLessThan(5_000_000);
        assertThat(owner.latency(Latency.CANCEL_ROUND_TRIP).count()).as("the owner cancelled nothing remote").isZero();

        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = canceller.jmxName();
        assertThat(name.toString()).isEqualTo("io.wheelcast:type=WheelcastNode,name=" + Long.toHexString(canceller.nodeId()));
        assertThat(server.getAttribute(name, "NodeId")).isEqualTo(Long.toHexString(canceller.nodeId()));
        assertThat(server.getAttribute(name, "LiveMembers")).isEqualTo(1L);
        assertThat((String[]) server.getAttribute(name, "Members")).containsExactly(Long.toHexString(owner.nodeId()));
        assertThat(server.getAttribute(name, "CancelRoundTripCount")).isEqualTo(1L);
        assertThat(valueOf((TabularData) server.getAttribute(name, "Counters"), Counter.CANCELS_CANCELLED.metricName()))
                .isEqualTo("1");
        assertThat(valueOf((TabularData) server.getAttribute(name, "Configuration"), "port")).isEqualTo(String.valueOf(port));
        assertThat(server.getAttribute(owner.jmxName(), "LiveTimers")).isEqualTo(0L);

        canceller.close();
        assertThat(server.isRegistered(name)).as("unregistered on close").isFalse();
    }

    @Test
    void withoutJmxNothingIsRegistered() throws Exception {
        WheelcastNode node = TestNetwork.builder(TestNetwork.port(), 22).start();
        nodes.add(node);
        assertThat(node.jmxName()).isNull();
        assertThat(ManagementFactory.getPlatformMBeanServer().queryNames(
                new ObjectName("io.wheelcast:type=WheelcastNode,name=" + Long.toHexString(node.nodeId())), null)).isEmpty();
    }

    private static String valueOf(TabularData table, String key) {
        for (Object row : table.values()) {
            CompositeData r = (CompositeData) row;
            if (key.equals(r.get("key"))) {
                return String.valueOf(r.get("value"));
            }
        }
        return null;
    }
}
