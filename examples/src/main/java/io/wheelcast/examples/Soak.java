package io.wheelcast.examples;

import io.wheelcast.engine.CancelOutcome;
import io.wheelcast.engine.Counter;
import io.wheelcast.engine.WheelcastNode;
import io.wheelcast.engine.FaultPlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Steady schedule/cancel traffic through several in-process nodes with injected loss, for
 * minutes: reports timers lost, wrong outcomes and heap after GC at start and end.
 * Run it in a private network namespace (scripts/soak.sh does).
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = "Soak run: N in-process nodes, injected loss, steady traffic; verdict on lost timers, wrong outcomes, memory.")
public final class Soak implements Callable<Integer> {
    @Mixin
    NodeOptions net;

    @Option(names = "--duration", defaultValue = "5m", converter = DurationConverter.class, description = "Run time (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--nodes", defaultValue = "3", description = "Nodes (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--loss", defaultValue = "20", description = "Inbound loss percent per node (default: ${DEFAULT-VALUE}).")
    double loss;

    @Option(names = "--rate", defaultValue = "200", description = "Timers scheduled per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--seed", defaultValue = "7", description = "Seed of the traffic and the loss.")
    long seed;

    @Override
    public Integer call() throws Exception {
        List<WheelcastNode> cluster = new ArrayList<>();
        Map<String, Integer> fired = new ConcurrentHashMap<>();
        Map<String, CancelOutcome.Status> outcomes = new ConcurrentHashMap<>();
        AtomicLong cancelsDone = new AtomicLong();
        for (int i = 0; i < nodes; i++) {
            WheelcastNode n = net.builder().faultPlan(new FaultPlan(seed + i, loss, 0, 0, 0)).start();
            n.onExpire(e -> fired.merge(e.idAsString(), 1, Integer::sum), Runnable::run);
            cluster.add(n);
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<String> uncancelled = new ArrayList<>();
        long start = System.nanoTime();
        long stopIssuing = start + duration.toNanos() - TimeUnit.SECONDS.toNanos(6);
        long heapStart = -1;
        long issued = 0;
        long nextReport = start + TimeUnit.SECONDS.toNanos(30);
        System.out.printf("soak: %d nodes, %.0f%% loss, %d timers/s for %s (seed %d)%n", nodes, loss, rate, duration, seed);
        while (System.nanoTime() < stopIssuing) {
            long due = start + issued * 1_000_000_000L / rate;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            String id = "s" + issued;
            int owner = (int) (issued % nodes);
            cluster.get(owner).schedule(id.getBytes(StandardCharsets.UTF_8), 2_000, null);
            if (random.nextBoolean()) {
                int via = (owner + 1 + random.nextInt(nodes - 1)) % nodes;
                long delay = 100 + random.nextInt(900);
                WheelcastNode canceller = cluster.get(via);
                java.util.concurrent.CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS).execute(() ->
                        canceller.cancel(id).whenComplete((o, e) -> {
                            outcomes.put(id, e != null ? CancelOutcome.Status.UNCONFIRMED : o.status());
                            cancelsDone.incrementAndGet();
                        }));
            } else {
                uncancelled.add(id);
            }
            issued++;
            if (heapStart < 0 && System.nanoTime() - start > TimeUnit.SECONDS.toNanos(10)) {
                heapStart = heapAfterGc();
            }
            if (System.nanoTime() > nextReport) {
                nextReport += TimeUnit.SECONDS.toNanos(30);
                System.out.printf("soak: t=%ds issued=%d fired=%d cancels_answered=%d gaps=%d retransmits=%d%n",
                        (System.nanoTime() - start) / 1_000_000_000L, issued, fired.size(), cancelsDone.get(),
                        cluster.stream().mapToLong(n -> n.stats().get(Counter.SEQUENCE_GAPS)).sum(),
                        cluster.stream().mapToLong(n -> n.stats().get(Counter.KILL_RETRANSMITS)).sum());
            }
        }
        Thread.sleep(5_000);
        long heapEnd = heapAfterGc();
        long lost = uncancelled.stream().filter(id -> !fired.containsKey(id)).count();
        long duplicates = fired.values().stream().filter(c -> c > 1).count();
        long wrong = 0;
        long unconfirmed = 0;
        for (Map.Entry<String, CancelOutcome.Status> e : outcomes.entrySet()) {
            boolean didFire = fired.containsKey(e.getKey());
            switch (e.getValue()) {
                case CANCELLED -> wrong += didFire ? 1 : 0;
                case ALREADY_FIRED -> wrong += didFire ? 0 : 1;
                default -> unconfirmed++;
            }
        }
        long liveTimers = cluster.stream().mapToLong(n -> n.stats().get(Counter.LIVE_TIMERS)).sum();
        cluster.forEach(WheelcastNode::close);
        boolean ok = lost == 0 && wrong == 0 && duplicates == 0 && liveTimers == 0;
        System.out.printf("soak: verdict=%s issued=%d uncancelled=%d lost=%d fired_twice=%d cancels=%d wrong=%d unconfirmed_or_not_found=%d "
                        + "live_timers_left=%d heap_after_gc_start_mb=%.1f heap_after_gc_end_mb=%.1f%n",
                ok ? "OK" : "FAIL", issued, uncancelled.size(), lost, duplicates, outcomes.size(), wrong, unconfirmed, liveTimers,
                heapStart / 1048576.0, heapEnd / 1048576.0);
        return ok ? 0 : 1;
    }

    private static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
