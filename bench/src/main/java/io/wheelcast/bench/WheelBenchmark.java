package io.wheelcast.bench;

import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.TimerTask;
import io.wheelcast.engine.registry.TimerWheel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The comparison: Netty's {@link HashedWheelTimer} against the engine's loop-ticked
 * {@link TimerWheel}, arming and cancelling one timer with {@code liveTimers} others armed
 * (10-minute deadlines, 1 ms ticks, 512 slots for both). Netty's timer allocates a timeout
 * object per arm and hands arms and cancels to its own worker thread through queues; the
 * engine's wheel links preallocated handles in place, on the thread that owns it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class WheelBenchmark {
    private static final TimerTask NOTHING = t -> { };
    private static final long TEN_MINUTES_MS = TimeUnit.MINUTES.toMillis(10);

    @Param("100000")
    int liveTimers;

    private HashedWheelTimer netty;
    private TimerWheel wheel;
    private int spare;
    /** The same timers on a wheel the benchmark's loop ticks: each op is one millisecond's poll. */
    private TimerWheel ticked;
    private long nowMs;
    private final TimerWheel.ExpiryHandler rearm = (h, now) -> ticked.schedule(h, now + TEN_MINUTES_MS);

    @Setup(Level.Trial)
    public void setup() {
        netty = new HashedWheelTimer(r -> {
            Thread t = new Thread(r, "netty-wheel");
            t.setDaemon(true);
            return t;
        }, 1, TimeUnit.MILLISECONDS, 512, true, liveTimers + 1_000_000L);
        for (int i = 0; i < liveTimers; i++) {
            netty.newTimeout(NOTHING, 10, TimeUnit.MINUTES);
        }
        wheel = new TimerWheel(0, 1, 512, liveTimers + 1);
        for (int h = 0; h < liveTimers; h++) {
            wheel.schedule(h, TEN_MINUTES_MS);
        }
        spare = liveTimers;
        ticked = new TimerWheel(0, 1, 512, liveTimers);
        for (int h = 0; h < liveTimers; h++) {
            ticked.schedule(h, TEN_MINUTES_MS + h % 60_000); // spread over a minute, as timers armed over time are
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        netty.stop();
    }

    @Benchmark
    public boolean nettyHashedWheelTimerArmAndCancel() {
        Timeout t = netty.newTimeout(NOTHING, 10, TimeUnit.MINUTES);
        return t.cancel();
    }

    /**
     * One tick of the loop (a 1 ms poll) with {@code liveTimers} timers armed about 10 minutes
     * ahead, each re-armed when it fires: what a busy node's loop pays per millisecond for timers
     * that are not due. A single-level wheel passed each of them once per rotation (100,000 / 512
     * per tick); the two-level wheel moves each inward once, when its rotation begins.
     */
    @Benchmark
    public int loopTickedWheelPollPerTick() {
        return ticked.poll(++nowMs, rearm, Integer.MAX_VALUE);
    }

    @Benchmark
    public boolean loopTickedWheelArmAndCancel() {
        wheel.schedule(spare, TEN_MINUTES_MS);
        return wheel.cancel(spare);
    }
}
