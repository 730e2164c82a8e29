package io.wheelcast.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wheelcast.engine.CancelOutcome;
import io.wheelcast.engine.Counter;
import io.wheelcast.engine.Latency;
import io.wheelcast.engine.TestNetwork;
import io.wheelcast.engine.WheelcastNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** One line binds a node; every counter, gauge and latency shows up, tagged, with the node's numbers. */
class WheelcastMetricsTest {

    @Test
    void everyCounterGaugeAndLatencyIsBoundWithTheNodesValues() throws Exception {
        int port = TestNetwork.port();
        try (WheelcastNode owner = TestNetwork.builder(port, 31).start();
             WheelcastNode canceller = TestNetwork.builder(port, 31).start()) {
            MeterRegistry registry = new SimpleMeterRegistry();
            WheelcastMetrics.of(canceller).bindTo(registry);
            new WheelcastMetrics(owner, Tags.of("app", "jobs")).bindTo(registry);

            owner.schedule("metered", Duration.ofSeconds(30)).toCompletableFuture().get(5, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (canceller.stats().get(Counter.REPLICAS) < 1 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            CancelOutcome o = canceller.cancel("metered").toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThat(o.status()).isEqualTo(CancelOutcome.Status.CANCELLED);

            String node = Long.toHexString(canceller.nodeId());
            for (Counter c : Counter.values()) {
                if (c.isGauge()) {
                    assertThat(registry.find(WheelcastMetrics.meterName(c)).tag("node", node).gauge()).as("%s", c).isNotNull();
                } else {
                    assertThat(registry.find(WheelcastMetrics.meterName(c)).tag("node", node).functionCounter()).as("%s", c)
                            .isNotNull();
                }
            }
            FunctionCounter cancelled = registry.find("wheelcast.cancels.cancelled").tag("node", node).tag("cluster", "31")
                    .functionCounter();
            assertThat(cancelled.count()).isEqualTo(1.0);
            Gauge replicas = registry.find("wheelcast.replicas").tag("node", Long.toHexString(owner.nodeId())).tag("app", "jobs")
                    .gauge();
            assertThat(replicas).as("the owner's meters carry the extra tag").isNotNull();
            FunctionTimer rtt = registry.find(WheelcastMetrics.meterName(Latency.CANCEL_ROUND_TRIP)).tag("node", node).functionTimer();
            assertThat(rtt.count()).isEqualTo(1.0);
            assertThat(rtt.totalTime(TimeUnit.MICROSECONDS)).isPositive();
            assertThat(registry.find("wheelcast.cancel.round.trip.p99").tag("node", node).timeGauge().value(TimeUnit.MICROSECONDS))
                    .isPositive();
            assertThat(registry.find("wheelcast.adoption.lateness").tag("node", node).functionTimer().count()).isZero();
        }
    }
}
