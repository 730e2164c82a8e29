package io.wheelcast.engine;

import io.wheelcast.engine.FaultPlan;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real nodes on a real socket with the engine's seeded fault hook dropping 30%, duplicating 10%
 * and delaying (reordering) 10% of every node's inbound datagrams: 1,500 timers, a third
 * cancelled from another node, none of them fires and no future lies.
 */
class FaultInjectionClusterTest {
    private final List<WheelcastNode> nodes = new ArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(WheelcastNode::close);
    }

    @Test
    void cancelsWinThroughInjectedLossDuplicationAndReordering() throws Exception {
        int port = TestNetwork.port();
        Set<String> fired = ConcurrentHashMap.newKeySet();
        List<String> firedTwice = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            long seed = 1000 + i;
            WheelcastNode n = TestNetwork.builder(port, 31).faultPlan(new FaultPlan(seed, 30, 10, 10, 20))
                    .cancelTimeout(Duration.ofSeconds(5)).start(); // CI machines are slow with paranoid leak detection
            n.onExpire(e -> {
                if (!fired.add(e.idAsString())) {
                    synchronized (firedTwice) {
                        firedTwice.add(e.idAsString());
                    }
                }
            }, Runnable::run);
            nodes.add(n);
        }
        int timers = 1_500;
        List<CompletableFuture<ScheduleOutcome>> scheduled = new ArrayList<>();
        for (int i = 0; i < timers; i++) {
            scheduled.add(nodes.get(i % 3).schedule(("f" + i).getBytes(StandardCharsets.UTF_8), 2_500, null).toCompletableFuture());
        }
        for (CompletableFuture<ScheduleOutcome> f : scheduled) {
            assertThat(f.get(5, TimeUnit.SECONDS)).isEqualTo(ScheduleOutcome.ARMED);
        }
        Thread.sleep(100);
        List<CompletableFuture<CancelOutcome>> cancels = new ArrayList<>();
        for (int i = 0; i < timers; i += 3) {
            cancels.add(nodes.get((i + 1) % 3).cancel("f" + i).toCompletableFuture());
        }
        int cancelled = 0;
        for (CompletableFuture<CancelOutcome> f : cancels) {
            CancelOutcome o = f.get(15, TimeUnit.SECONDS);
            if (o.status() == CancelOutcome.Status.CANCELLED) {
                cancelled++;
            }
        }
        Thread.sleep(3_500);
        List<String> wrongly = new ArrayList<>();
        for (int i = 0; i < timers; i += 3) {
            if (fired.contains("f" + i)) {
                wrongly.add("f" + i);
            }
        }
        long dropped = nodes.stream().mapToLong(n -> n.stats().get(Counter.FAULT_DROPPED)).sum();
        long dups = nodes.stream().mapToLong(n -> n.stats().get(Counter.DUPLICATE_DATAGRAMS)).sum();
        String figures = "seeds=1000..1002 cancelled=" + cancelled + "/" + cancels.size() + " fired=" + fired.size()
                + " wrongly_fired=" + wrongly + " fired_twice=" + firedTwice + " fault_dropped=" + dropped + " duplicates_dropped=" + dups;
        System.out.println("fault-injection: " + figures);
        assertThat(wrongly).as(figures).isEmpty();
        assertThat(firedTwice).as(figures).isEmpty();
        assertThat(cancelled).as("each cancel answered CANCELLED by the owner: " + figures).isEqualTo(cancels.size());
        assertThat(fired).as(figures).hasSize(timers - cancels.size());
        assertThat(dropped).as("the hook really dropped datagrams").isPositive();
        assertThat(dups).as("duplicated datagrams were suppressed by sequence").isPositive();
    }
}
