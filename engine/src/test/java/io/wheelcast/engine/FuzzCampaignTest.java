package io.wheelcast.engine;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.wheelcast.codec.ClusterKey;
import io.wheelcast.codec.DatagramWriter;
import io.wheelcast.codec.HmacAuthenticator;
import io.wheelcast.codec.WireFormat;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fuzzing campaign against a live node over a real socket: random mutations of captured valid
 * datagrams, structurally valid datagrams at every extreme (some re-signed with the real key, as
 * a malicious insider could), and pure noise. Afterwards the node still cancels correctly, its
 * heap is bounded, and its counters account for every datagram it received.
 * {@code -Dwheelcast.fuzz.count=1000000} runs the long campaign (scripts/fuzz.sh); CI runs 20,000.
 */
class FuzzCampaignTest {
    private static final ClusterKey KEY = new ClusterKey(3, "fuzz-campaign-key-0123456789abcdef".getBytes(StandardCharsets.US_ASCII));

    @Test
    void hostileDatagramsLeaveTheNodeHealthyAndAccounted() throws Exception {
        int count = Integer.getInteger("wheelcast.fuzz.count", 20_000);
        long seed = Long.getLong("wheelcast.fuzz.seed", 20261125L);
        int port = TestNetwork.port();
        SplittableRandom random = new SplittableRandom(seed);
        try (WheelcastNode victim = TestNetwork.builder(port, 12).clusterKey(KEY).maxTombstones(4096).maxReplicas(4096)
                .maxSenders(256).start();
             WheelcastNode peer = TestNetwork.builder(port, 12).clusterKey(KEY).start();
             DatagramChannel raw = DatagramChannel.open(StandardProtocolFamily.INET)) {
            raw.setOption(StandardSocketOptions.IP_MULTICAST_IF, victim.networkInterface());
            raw.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 0);
            victim.schedule("must-survive", Duration.ofMinutes(5)).toCompletableFuture().get(5, TimeUnit.SECONDS);
            long heapBefore = heapAfterGc();
            List<byte[]> captured = capturedValid(random);
            ByteBuffer out = ByteBuffer.allocateDirect(70_000);
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                byte[] d = hostile(random, captured, i);
                out.clear();
                out.put(d).flip();
                raw.send(out, victim.groupAddress());
                if ((i & 15) == 0) { // pace: on loopback a full receive buffer would drop, not test
                    Thread.sleep(1);
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            NodeStats s = victim.stats();
            while (System.nanoTime() < deadline) {
                Thread.sleep(100);
                NodeStats now = victim.stats();
                if (now.get(Counter.DATAGRAMS_IN) == s.get(Counter.DATAGRAMS_IN)) {
                    break;
                }
                s = now;
            }
            s = victim.stats();
            long received = s.get(Counter.DATAGRAMS_IN);
            long accounted = s.get(Counter.DATAGRAMS_ACCEPTED) + s.rejectedDatagrams() + s.get(Counter.DUPLICATE_DATAGRAMS)
                    + s.get(Counter.STALE_DATAGRAMS) + s.get(Counter.OWN_DATAGRAMS_IGNORED)
                    + s.get(Counter.TEXT_KILLS_IN) + s.get(Counter.TEXT_KILLS_INVALID);
            long heapAfter = heapAfterGc();
            String figures = String.format("seed=%d sent=%d received=%d accounted=%d accepted=%d rejected=%d heap_before_mb=%.1f "
                            + "heap_after_mb=%.1f elapsed_s=%.1f%n%s", seed, count, received, accounted, s.get(Counter.DATAGRAMS_ACCEPTED),
                    s.rejectedDatagrams(), heapBefore / 1048576.0, heapAfter / 1048576.0, (System.nanoTime() - start) / 1e9, s);
            System.out.println("fuzz: " + figures.lines().findFirst().orElse(""));
            assertThat(accounted).as("every datagram counted exactly once: " + figures).isEqualTo(received);
            assertThat(received).as("the campaign reached the node: " + figures).isGreaterThan(count * 9L / 10);
            assertThat(heapAfter - heapBefore).as("heap bounded: " + figures).isLessThan(64L << 20);

            // Still healthy: a valid cancel from a keyed peer works.
            CancelOutcome o = peer.cancel("must-survive").toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(o).as(figures).isEqualTo(new CancelOutcome(CancelOutcome.Status.CANCELLED, victim.nodeId()));
        }
    }

    private static long heapAfterGc() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Valid, signed datagrams of every frame type, as an attacker on the LAN would capture them. */
    private static List<byte[]> capturedValid(SplittableRandom random) {
        List<byte[]> out = new ArrayList<>();
        DatagramWriter w = new DatagramWriter(1400, 512, new HmacAuthenticator(KEY, null));
        for (int i = 0; i < 64; i++) {
            ByteBuf b = Unpooled.buffer(1400);
            w.begin(b, 12, 0x7000 + i, 1 + i, System.currentTimeMillis());
            byte[] id = ("cap-" + i).getBytes(StandardCharsets.US_ASCII);
            switch (i % 5) {
                case 0 -> w.appendSchedule(60_000, 0x7000 + i, id, 0, id.length, new byte[i], 0, i);
                case 1 -> w.appendKill(i, id, 0, id.length);
                case 2 -> w.appendKillAck(i, 1, 1, id, 0, id.length);
                case 3 -> w.appendHeartbeat(i, 1000, i);
                default -> w.appendFired(0x7000 + i, id, 0, id.length);
            }
            w.finish();
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            out.add(bytes);
        }
        return out;
    }

    private static byte[] hostile(SplittableRandom r, List<byte[]> captured, int i) {
        switch (i % 6) {
            case 0: { // bit flips in a captured datagram
                byte[] d = captured.get(r.nextInt(captured.size())).clone();
                for (int k = 1 + r.nextInt(4); k > 0; k--) {
                    d[r.nextInt(d.length)] ^= (byte) (1 << r.nextInt(8));
                }
                return d;
            }
            case 1: { // truncated or extended captured datagram
                byte[] d = captured.get(r.nextInt(captured.size()));
                int len = r.nextBoolean() ? r.nextInt(d.length) : d.length + 1 + r.nextInt(64);
                byte[] out = new byte[len];
                System.arraycopy(d, 0, out, 0, Math.min(len, d.length));
                return out;
            }
            case 2: // an exact replay of a captured datagram
                return captured.get(r.nextInt(captured.size()));
            case 3: { // noise, sometimes with a valid-looking start
                byte[] d = new byte[r.nextInt(1500)];
                r.nextBytes(d);
                if (d.length >= 4 && r.nextBoolean()) {
                    d[0] = 0x57;
                    d[1] = 0x43;
                    d[2] = 1;
                }
                return d;
            }
            default: // structurally extreme, re-signed with the real key (what a malicious insider could send)
                return extreme(r, i);
        }
    }

    private static byte[] extreme(SplittableRandom r, int i) {
        ByteBuf b = Unpooled.buffer(2048);
        DatagramWriter w = new DatagramWriter(2000, 0xFFFF, null);
        w.begin(b, 12, 0x9000 + r.nextInt(1000), 1 + r.nextInt(1_000_000), System.currentTimeMillis());
        int frames = 1 + r.nextInt(60);
        for (int f = 0; f < frames; f++) {
            int idLen = r.nextBoolean() ? 64 : 1 + r.nextInt(80); // at and past the limit
            byte[] id = new byte[idLen];
            r.nextBytes(id);
            switch (r.nextInt(4)) {
                case 0 -> w.appendKill(r.nextLong(), id, 0, id.length);
                case 1 -> w.appendSchedule(r.nextLong(), r.nextLong(), id, 0, id.length, new byte[0], 0, 0);
                case 2 -> w.appendKillAck(r.nextLong(), r.nextLong(), 1 + r.nextInt(3), id, 0, id.length);
                default -> w.appendRaw(new byte[] {(byte) (6 + r.nextInt(250)), 0, 4, 0});
            }
        }
        w.finish();
        if (r.nextInt(4) == 0) {
            b.writeBytes(new byte[1 + r.nextInt(16)]); // garbage after the frames
        }
        b.setShortLE(32, r.nextInt(8) == 0 ? 0xFFFF : b.getUnsignedShortLE(32)); // lying frame count now and then
        // Sign whatever was built, so the decoder and registry (not the tag) have to cope.
        b.setByte(3, WireFormat.FLAG_AUTHENTICATED);
        b.setByte(34, KEY.keyId());
        int signed = b.writerIndex();
        b.writeZero(WireFormat.AUTH_TAG_LENGTH);
        new HmacAuthenticator(KEY, null).sign(b, 0, signed);
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        return out;
    }
}
