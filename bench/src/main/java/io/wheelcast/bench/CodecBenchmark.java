package io.wheelcast.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.wheelcast.codec.DatagramDecoder;
import io.wheelcast.codec.DatagramWriter;
import io.wheelcast.codec.DecodeStatus;
import io.wheelcast.codec.DecoderLimits;
import io.wheelcast.codec.FiredFlyweight;
import io.wheelcast.codec.FrameHandler;
import io.wheelcast.codec.HeaderFlyweight;
import io.wheelcast.codec.HeartbeatFlyweight;
import io.wheelcast.codec.KillAckFlyweight;
import io.wheelcast.codec.KillFlyweight;
import io.wheelcast.codec.ScheduleFlyweight;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Codec cost: encode and decode one KILL, and a full 1400-byte datagram of KILL frames. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled"})
public class CodecBenchmark {
    private final byte[] id = "job-012345".getBytes(StandardCharsets.US_ASCII);
    private final DatagramWriter writer = new DatagramWriter(1400, 512, null);
    private final DatagramDecoder decoder = new DatagramDecoder(DecoderLimits.DEFAULT, 0);
    private ByteBuf out;
    private ByteBuf oneKill;
    private ByteBuf fullDatagram;
    private int fullFrames;
    private CountingHandler handler;
    private long seq;

    /** Touches each frame's fields so the JIT cannot skip the decoding. */
    static final class CountingHandler implements FrameHandler {
        final Blackhole bh;

        CountingHandler(Blackhole bh) {
            this.bh = bh;
        }

        @Override
        public void onSchedule(HeaderFlyweight header, ScheduleFlyweight frame) {
            bh.consume(frame.delayMs());
        }

        @Override
        public void onKill(HeaderFlyweight header, KillFlyweight frame) {
            bh.consume(frame.requestId() + frame.idLength());
        }

        @Override
        public void onKillAck(HeaderFlyweight header, KillAckFlyweight frame) {
            bh.consume(frame.outcome());
        }

        @Override
        public void onHeartbeat(HeaderFlyweight header, HeartbeatFlyweight frame) {
            bh.consume(frame.liveTimers());
        }

        @Override
        public void onReplicated(HeaderFlyweight header, io.wheelcast.codec.ReplicatedFlyweight frame) {
            bh.consume(frame.ownerId());
        }

        @Override
        public void onFired(HeaderFlyweight header, FiredFlyweight frame) {
            bh.consume(frame.ownerId());
        }
    }

    @Setup
    public void setup(Blackhole bh) {
        UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(true, true);
        out = alloc.directBuffer(2048);
        oneKill = alloc.directBuffer(2048);
        writer.begin(oneKill, 0, 1, 1, 0);
        writer.appendKill(7, id, 0, id.length);
        writer.finish();
        fullDatagram = alloc.directBuffer(2048);
        writer.begin(fullDatagram, 0, 1, 1, 0);
        while (writer.appendKill(7, id, 0, id.length)) {
            fullFrames++;
        }
        writer.finish();
        handler = new CountingHandler(bh);
    }

    @TearDown
    public void tearDown() {
        out.release();
        oneKill.release();
        fullDatagram.release();
    }

    @Benchmark
    public int encodeOneKill() {
        out.clear();
        writer.begin(out, 0, 1, ++seq, 0);
        writer.appendKill(seq, id, 0, id.length);
        return writer.finish();
    }

    @Benchmark
    public DecodeStatus decodeOneKill() {
        DecodeStatus s = decoder.validate(oneKill);
        decoder.dispatch(handler);
        return s;
    }

    /** A 1400-byte datagram of 52 KILL frames; divide by the frame count for per-frame cost. */
    @Benchmark
    public DecodeStatus decodeFullDatagramOfKills() {
        DecodeStatus s = decoder.validate(fullDatagram);
        decoder.dispatch(handler);
        return s;
    }
}
