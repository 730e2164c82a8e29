package io.wheelcast.engine;

import io.wheelcast.engine.config.NodeConfig;
import io.wheelcast.engine.counters.Counters;
import io.wheelcast.engine.protocol.DatagramSink;
import io.wheelcast.engine.protocol.NodeCore;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.wheelcast.codec.Datagram;
import io.wheelcast.codec.Frame;
import io.wheelcast.codec.HeaderFlyweight;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The receive path (validate, dedupe, registry lookup, tombstone insert and expiry, KILL_ACK
 * encode and send) allocates nothing per datagram. Measured with the JVM's per-thread
 * allocation counter over 200,000 datagrams after warm-up.
 */
class HotPathAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void receivingKillsAndSendingAcksAllocatesNothingPerDatagram() {
        // Leak-detection wrappers record stack traces on access (tests run with paranoid detection): measure without them.
        UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(true, true);
        ByteBuf reusableOut = alloc.directBuffer(2048);
        DatagramSink sink = new DatagramSink() {
            @Override
            public ByteBuf allocate(int capacity) {
                return reusableOut.clear();
            }

            @Override
            public void send(ByteBuf datagram) {
                // a real sink hands it to the socket; here it is reused
            }

            @Override
            public void flush() {
            }
        };
        NodeConfig config = WheelcastNode.builder().completionExecutor(Runnable::run).build();
        long now = 1_000;
        Counters counters = new Counters();
        NodeCore core = new NodeCore(config, 1L, counters, sink, now);
        int owned = 512;
        for (int i = 0; i < owned; i++) {
            core.schedule(("own-" + i).getBytes(StandardCharsets.UTF_8), 3_600_000, null, new CompletableFuture<>(), now);
        }
        // Datagrams of 4 frames: KILLs of owned timers (cancel, then re-ack) and of unknown ids (tombstones).
        int distinct = 1024;
        ByteBuf[] datagrams = new ByteBuf[distinct];
        for (int d = 0; d < distinct; d++) {
            datagrams[d] = alloc.directBuffer(512);
            new Datagram(0, 2L, 0, 0, List.of(
                    new Frame.Kill(d, ("own-" + (d % owned)).getBytes(StandardCharsets.UTF_8)),
                    new Frame.Kill(d + 1, ("unknown-" + d).getBytes(StandardCharsets.UTF_8)),
                    new Frame.KillAck(d, 3L, 1, ("other-" + d).getBytes(StandardCharsets.UTF_8)),
                    new Frame.Heartbeat(1, 1000, 7))).encode(datagrams[d]);
        }
        long seq = 0;
        for (int i = 0; i < 200_000; i++) { // warm-up: JIT, table growth paths, first inserts
            seq = feed(core, datagrams[i % distinct], ++seq, now += (i % 64 == 0 ? 1 : 0));
        }
        long tid = Thread.currentThread().getId();
        long before = THREADS.getThreadAllocatedBytes(tid);
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            seq = feed(core, datagrams[i % distinct], ++seq, now += (i % 64 == 0 ? 1 : 0));
        }
        long allocated = THREADS.getThreadAllocatedBytes(tid) - before;
        String figures = "allocated " + allocated + " bytes over " + n + " datagrams ("
                + (double) allocated / n + " B/datagram)";
        System.out.println("allocation: " + figures);
        assertThat(counters.get(Counter.FRAMES_IN_KILL)).as("every datagram was decoded and dispatched").isEqualTo(4L * n);
        assertThat(counters.get(Counter.FRAMES_OUT_KILL_ACK)).as("owned ids were answered").isGreaterThanOrEqualTo(2L * n);
        assertThat(counters.get(Counter.TOMBSTONES_STORED)).as("unknown ids left tombstones").isGreaterThanOrEqualTo(distinct);
        assertThat(allocated).as(figures).isLessThan(n / 100L);
        for (ByteBuf b : datagrams) {
            b.release();
        }
        reusableOut.release();
    }

    private static long feed(NodeCore core, ByteBuf datagram, long seq, long now) {
        datagram.setLongLE(HeaderFlyweight.SEQUENCE_OFFSET, seq);
        core.onDatagram(datagram, now);
        core.tick(now);
        return seq;
    }
}
