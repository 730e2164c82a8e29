package io.wheelcast.bench;

import org.jctools.queues.MpscArrayQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The application-thread-to-loop hand-off: JCTools MPSC array queue drained in batches (what
 * the engine uses) against the JDK's LinkedBlockingQueue, one producer and one consumer.
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HandoffBenchmark {
    private static final Object COMMAND = new Object();
    private final MpscArrayQueue<Object> mpsc = new MpscArrayQueue<>(65_536);
    private final LinkedBlockingQueue<Object> jdk = new LinkedBlockingQueue<>(65_536);

    @Benchmark
    @Group("mpsc")
    @GroupThreads(1)
    public boolean mpscOffer() {
        return mpsc.relaxedOffer(COMMAND);
    }

    @Benchmark
    @Group("mpsc")
    @GroupThreads(1)
    public int mpscDrain(Blackhole bh) {
        return mpsc.drain(bh::consume, 256);
    }

    @Benchmark
    @Group("jdk")
    @GroupThreads(1)
    public boolean jdkOffer() {
        return jdk.offer(COMMAND);
    }

    @Benchmark
    @Group("jdk")
    @GroupThreads(1)
    public int jdkDrain(Blackhole bh) {
        int n = 0;
        Object o;
        while (n < 256 && (o = jdk.poll()) != null) {
            bh.consume(o);
            n++;
        }
        return n;
    }

}
