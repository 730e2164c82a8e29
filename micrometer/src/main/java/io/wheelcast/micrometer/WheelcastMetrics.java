package io.wheelcast.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.wheelcast.engine.Counter;
import io.wheelcast.engine.Latency;
import io.wheelcast.engine.WheelcastNode;

import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Binds a node's meters to a Micrometer registry: {@code registry.bind(...)}, or in Spring a
 * {@code @Bean MeterBinder wheelcast(WheelcastNode node) { return WheelcastMetrics.of(node); }}.
 *
 * <ul>
 *   <li>every {@link Counter}: a function counter ({@code wheelcast.datagrams.in}, ...) or, for
 *       gauges, a gauge ({@code wheelcast.live.timers}, ...);</li>
 *   <li>every {@link Latency}: a function timer (count and total time, so rates and means
 *       work) plus time gauges for its p50, p99 and max, read from the node's HdrHistogram.</li>
 * </ul>
 *
 * <p>Tags: {@code node} (this incarnation's id, hex) and {@code cluster}, plus any given. Meters
 * read the node when the registry polls them: nothing is added to the node's hot path.
 */
public final class WheelcastMetrics implements MeterBinder {
    private final WheelcastNode node;
    private final Tags tags;

    public WheelcastMetrics(WheelcastNode node, Iterable<Tag> extraTags) {
        this.node = Objects.requireNonNull(node, "node");
        this.tags = Tags.of("node", Long.toHexString(node.nodeId()), "cluster", Long.toString(node.clusterId()))
                .and(extraTags);
    }

    public static WheelcastMetrics of(WheelcastNode node) {
        return new WheelcastMetrics(node, Tags.empty());
    }

    /** The Micrometer name of a counter: {@code DATAGRAMS_IN} becomes {@code wheelcast.datagrams.in}. */
    public static String meterName(Counter counter) {
        return "wheelcast." + counter.name().toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** The Micrometer name of a latency: {@code CANCEL_ROUND_TRIP} becomes {@code wheelcast.cancel.round.trip}. */
    public static String meterName(Latency latency) {
        return "wheelcast." + latency.name().toLowerCase(Locale.ROOT).replace('_', '.');
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (Counter c : Counter.values()) {
            if (c.isGauge()) {
                Gauge.builder(meterName(c), node, n -> n.stats().get(c)).tags(tags)
                        .description("Wheelcast gauge " + c.name()).register(registry);
            } else {
                FunctionCounter.builder(meterName(c), node, n -> n.stats().get(c)).tags(tags)
                        .description("Wheelcast counter " + c.name()).register(registry);
            }
        }
        for (Latency l : Latency.values()) {
            String name = meterName(l);
            FunctionTimer.builder(name, node, n -> n.latency(l).count(), n -> n.latency(l).totalMicros(), TimeUnit.MICROSECONDS)
                    .tags(tags).description(describe(l)).register(registry);
            TimeGauge.builder(name + ".p50", node, TimeUnit.MICROSECONDS, n -> n.latency(l).percentileMicros(50))
                    .tags(tags).description(describe(l) + ": median since the start").register(registry);
            TimeGauge.builder(name + ".p99", node, TimeUnit.MICROSECONDS, n -> n.latency(l).percentileMicros(99))
                    .tags(tags).description(describe(l) + ": 99th percentile since the start").register(registry);
            TimeGauge.builder(name + ".max", node, TimeUnit.MICROSECONDS, n -> n.latency(l).maxMicros())
                    .tags(tags).description(describe(l) + ": maximum since the start").register(registry);
        }
    }

    private static String describe(Latency l) {
        return switch (l) {
            case CANCEL_ROUND_TRIP -> "Cancel round trip at the canceller, answered cancels of remote timers";
            case ADOPTION_LATENESS -> "How late adopted timers fired past their deadline";
            case REPLICATION_DELAY -> "First SCHEDULE to the designated holder's REPLICATED";
        };
    }
}
