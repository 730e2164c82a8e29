package io.wheelcast.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.wheelcast.codec.DatagramDecoder;
import io.wheelcast.codec.DecodeStatus;
import io.wheelcast.codec.DecoderLimits;
import io.wheelcast.codec.IdBytes;

import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The floor under W1-native's receiver: the same packed KILL datagrams, read by one thread with
 * a blocking JDK socket (one {@code recvfrom} per datagram) and only validated, each KILL's id
 * copied out and hashed as the engine's read-ahead does. No registry, no KILL_ACK, no Netty. What
 * this sustains without loss is what the kernel and the JVM allow one core for these datagrams;
 * the distance from it to W1-native is the engine's own work (docs/performance.md).
 */
final class FloorReceiver {
    private FloorReceiver() {
    }

    static void w1Receive() throws Exception {
        AtomicLong kills = new AtomicLong();
        try (DatagramChannel ch = Workloads.rawChannel(true)) {
            Thread rx = new Thread(() -> readLoop(ch, kills), "floor-rx");
            rx.setDaemon(true);
            rx.start();
            Workloads.warmUpKills(true, kills::get, JitWarmUp.ROUND, JitWarmUp.MAX_ROUNDS);
            System.gc();
            long base = kills.get();
            System.out.println("ready transport=jdk-blocking-decode-only");
            Workloads.waitForKills(() -> kills.get() - base, cpu -> "");
        }
    }

    private static void readLoop(DatagramChannel ch, AtomicLong kills) {
        ByteBuffer nio = ByteBuffer.allocateDirect(2048);
        ByteBuf buf = Unpooled.wrappedBuffer(nio);
        DatagramDecoder decoder = new DatagramDecoder(DecoderLimits.DEFAULT, DatagramDecoder.ANY_CLUSTER);
        byte[] id = new byte[DecoderLimits.DEFAULT.maxIdLength()];
        int[] sink = new int[1];
        DatagramDecoder.KillIdVisitor hashIds = (b, at, len) -> {
            b.getBytes(at, id, 0, len);
            sink[0] += IdBytes.hash(id, 0, len);
        };
        long count = 0;
        try {
            while (true) {
                nio.clear();
                ch.receive(nio);
                buf.setIndex(0, nio.position());
                if (decoder.validate(buf) == DecodeStatus.OK) {
                    count += decoder.visitKillIds(hashIds);
                    kills.lazySet(count);
                }
            }
        } catch (Exception closed) {
            // the channel closes at the end
        } finally {
            System.out.println("floor hash_sink=" + sink[0]); // keeps the hashing from being optimised away
        }
    }
}
