package io.wheelcast.engine;

import io.wheelcast.engine.config.NodeConfig;
import io.wheelcast.engine.counters.Counters;
import io.wheelcast.engine.protocol.DatagramSink;
import io.wheelcast.engine.protocol.NodeCore;
import io.netty.buffer.ByteBuf;
import io.wheelcast.bench.Ids;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.wheelcast.codec.DatagramWriter;
import io.wheelcast.codec.HeaderFlyweight;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * W3: the registry on the event loop with 1,000,000 live timers. Lives in the engine's package
 * to drive the loop-confined {@link NodeCore} directly, without sockets.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g", "-Dio.netty.leakDetection.level=disabled"})
public class NodeCoreBenchmark {
    @Param("1000000")
    int liveTimers;

    private NodeCore core;
    private ByteBuf[] kills;
    private byte[][] churnIds;
    private ByteBuf[] packed;
    private int nextPacked;
    private int next;
    private long seq;
    private final CompletableFuture<ScheduleOutcome> scheduled = new CompletableFuture<>();
    private final CompletableFuture<CancelOutcome> cancelled = new CompletableFuture<>();

    @Setup(Level.Trial)
    public void setup() {
        UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(true, true);
        ByteBuf sinkBuf = alloc.directBuffer(2048);
        DatagramSink sink = new DatagramSink() {
            @Override
            public ByteBuf allocate(int capacity) {
                return sinkBuf.clear();
            }

            @Override
            public void send(ByteBuf datagram) {
            }

            @Override
            public void flush() {
            }
        };
        NodeConfig config = WheelcastNode.builder()
                .maxTimers(liveTimers + 65_536).maxTombstones(liveTimers + 65_536).maxReplicas(1024)
                .completionExecutor(Runnable::run).heartbeatInterval(java.time.Duration.ZERO).build();
        core = new NodeCore(config, 1L, new Counters(), sink, 0);
        for (int i = 0; i < liveTimers; i++) {
            core.schedule(Ids.of("job-", i, 7).getBytes(StandardCharsets.US_ASCII), 3_600_000, null,
                    new CompletableFuture<>(), 0);
        }
        // KILLs for ids nobody holds (each leaves a tombstone, expired by the wheel later) and for live ones.
        kills = new ByteBuf[4096];
        DatagramWriter writer = new DatagramWriter(1400, 512, null);
        for (int i = 0; i < kills.length; i++) {
            kills[i] = alloc.directBuffer(128);
            writer.begin(kills[i], 0, 2L, 1, 0);
            byte[] id = Ids.of("job-", i * 200, 7).getBytes(StandardCharsets.US_ASCII);
            writer.appendKill(i, id, 0, id.length);
            writer.finish();
        }
        // W1-native's stream at the loop: KILL_PER_DATAGRAM kills per datagram over twice the live ids
        // (half hit a timer, half miss), in id order, so each kill lands on a cold part of the index.
        packed = new ByteBuf[2 * liveTimers / KILLS_PER_DATAGRAM];
        for (int d = 0; d < packed.length; d++) {
            packed[d] = alloc.directBuffer(1400);
            writer.begin(packed[d], 0, 3L, 1, 0);
            for (int f = 0; f < KILLS_PER_DATAGRAM; f++) {
                int i = d * KILLS_PER_DATAGRAM + f;
                byte[] id = Ids.of("job-", i, 7).getBytes(StandardCharsets.US_ASCII);
                if (!writer.appendKill(i + 1, id, 0, id.length)) {
                    throw new IllegalStateException("a datagram holds fewer than " + KILLS_PER_DATAGRAM + " kills");
                }
            }
            writer.finish();
        }
        churnIds = new byte[4096][];
        for (int i = 0; i < churnIds.length; i++) {
            churnIds[i] = Ids.of("new-", i, 7).getBytes(StandardCharsets.US_ASCII);
        }
    }

    /** Receive one KILL datagram: validate, dedupe, look up among 1M timers, cancel or re-ack, encode the KILL_ACK. */
    @Benchmark
    public void decodeAndCancelReceivedKill() {
        ByteBuf k = kills[next++ & (kills.length - 1)];
        k.setLongLE(HeaderFlyweight.SEQUENCE_OFFSET, ++seq);
        core.onDatagram(k, 0);
    }

    static final int KILLS_PER_DATAGRAM = 48;

    /**
     * Receive one datagram of 48 KILLs (W1-native at the loop, no sockets): per kill. After the
     * first pass every id is a cancelled record or a tombstone: hits are re-acknowledged.
     */
    @Benchmark
    @OperationsPerInvocation(KILLS_PER_DATAGRAM)
    public void receivePackedKillsPerKill() {
        ByteBuf d = packed[nextPacked];
        nextPacked = nextPacked + 1 == packed.length ? 0 : nextPacked + 1;
        d.setLongLE(HeaderFlyweight.SEQUENCE_OFFSET, ++seq);
        core.onDatagram(d, 0);
    }

    /** schedule + cancel pair of a fresh id on the loop, with 1M other timers live (the SCHEDULE and KILL_ACK frames are encoded too). */
    @Benchmark
    public void scheduleAndCancelPair() {
        byte[] id = churnIds[next++ & (churnIds.length - 1)];
        core.schedule(id, 600_000, null, scheduled, 0);
        core.cancel(id, cancelled, 0);
        core.tick(0);
    }
}
