package io.wheelcast.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.wheelcast.codec.ClusterKey;
import io.wheelcast.codec.DatagramDecoder;
import io.wheelcast.codec.DatagramWriter;
import io.wheelcast.codec.DecoderLimits;
import io.wheelcast.codec.HmacAuthenticator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Authentication cost per datagram: HMAC-SHA-256 tag check of a 1-KILL datagram and of a full one. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled"})
public class AuthBenchmark {
    @Param({"1", "52"})
    int killsPerDatagram;

    private final HmacAuthenticator auth = new HmacAuthenticator(new ClusterKey(1, new byte[32]), null);
    private final DatagramDecoder decoder = new DatagramDecoder(DecoderLimits.DEFAULT, 0);
    private ByteBuf datagram;
    private int framesEnd;

    @Setup
    public void setup() {
        datagram = new UnpooledByteBufAllocator(true, true).directBuffer(2048);
        DatagramWriter w = new DatagramWriter(1400, 512, auth);
        w.begin(datagram, 0, 1, 1, 0);
        byte[] id = "job-012345".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < killsPerDatagram && w.appendKill(i, id, 0, id.length); i++) {
            // packed
        }
        w.finish();
        decoder.validate(datagram);
        framesEnd = decoder.framesEnd();
    }

    @Benchmark
    public HmacAuthenticator.Verdict verifyTag() {
        return auth.verify(decoder.header(), datagram, 0, framesEnd);
    }

    @Benchmark
    public void signTag() {
        auth.sign(datagram, 0, framesEnd);
    }
}
