package io.wheelcast.engine;

import io.wheelcast.engine.counters.Counters;
import io.wheelcast.engine.protocol.DatagramSink;
import io.wheelcast.engine.protocol.NodeCore;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.wheelcast.codec.ClusterKey;
import io.wheelcast.codec.DatagramWriter;
import io.wheelcast.codec.HmacAuthenticator;
import io.wheelcast.codec.WireFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With a cluster key, only datagrams tagged with a held key, fresh and not seen before act:
 * every forgery and replay below leaves the victim's timer armed and is counted by reason.
 */
class AuthenticationTest {
    private static final ClusterKey K1 = new ClusterKey(1, bytes(0x11));
    private static final ClusterKey K2 = new ClusterKey(2, bytes(0x22));
    private static final ClusterKey K1_FORGED = new ClusterKey(1, bytes(0x33));
    private static final byte[] ID = "job-secure".getBytes(StandardCharsets.UTF_8);

    private Counters counters;
    private NodeCore victim;
    private final List<ByteBuf> sent = new ArrayList<>();
    private long now = 1_000;

    private static byte[] bytes(int fill) {
        byte[] b = new byte[32];
        java.util.Arrays.fill(b, (byte) fill);
        return b;
    }

    private long nextNodeId = 0xAAA;

    private NodeCore node(WheelcastNodeBuilder b, Counters c) {
        return new NodeCore(b.completionExecutor(Runnable::run).maxSenders(2).build(), nextNodeId++, c, new DatagramSink() {
            @Override
            public ByteBuf allocate(int capacity) {
                return Unpooled.buffer(capacity);
            }

            @Override
            public void send(ByteBuf datagram) {
                sent.add(datagram);
            }

            @Override
            public void flush() {
            }
        }, now);
    }

    @BeforeEach
    void armVictim() {
        counters = new Counters();
        victim = node(WheelcastNode.builder().clusterKeys(K2, K1), counters);
        victim.schedule(ID, 60_000, null, new CompletableFuture<>(), now);
    }

    private static ByteBuf kill(ClusterKey key, long sender, long seq, long timestampMs) {
        DatagramWriter w = new DatagramWriter(1400, 16, key == null ? null : new HmacAuthenticator(key, null));
        ByteBuf b = Unpooled.buffer(1400);
        w.begin(b, 0, sender, seq, timestampMs);
        w.appendKill(seq, ID, 0, ID.length);
        w.finish();
        return b;
    }

    private boolean stillArmed() {
        victim.updateGauges();
        return counters.get(Counter.LIVE_TIMERS) == 1;
    }

    @Test
    void validlyTaggedKillCancelsAndItsReplayDoesNothing() {
        ByteBuf k = kill(K2, 7, 1, System.currentTimeMillis());
        victim.onDatagram(k.duplicate(), now);
        assertThat(stillArmed()).isFalse();
        assertThat(counters.get(Counter.TIMERS_CANCELLED_REMOTELY)).isEqualTo(1);
        int acks = sent.size();
        victim.onDatagram(k.duplicate(), now); // the same bytes again, from this or any other host
        assertThat(counters.get(Counter.DUPLICATE_DATAGRAMS)).isEqualTo(1);
        assertThat(sent).as("a replay is not even answered").hasSize(acks);
    }

    @Test
    void forgeriesAreDroppedByReasonAndActOnNothing() {
        long ts = System.currentTimeMillis();
        victim.onDatagram(kill(null, 7, 1, ts), now);
        victim.onDatagram(kill(K1_FORGED, 7, 2, ts), now);
        victim.onDatagram(kill(new ClusterKey(9, bytes(0x44)), 7, 3, ts), now);
        ByteBuf truncated = kill(K2, 7, 4, ts);
        truncated.writerIndex(truncated.writerIndex() - 8);
        victim.onDatagram(truncated, now);
        ByteBuf other = kill(K2, 7, 5, ts);
        ByteBuf stolenTag = kill(K2, 8, 6, ts); // a valid datagram's tag glued onto another datagram
        other.setBytes(other.writerIndex() - WireFormat.AUTH_TAG_LENGTH, stolenTag, stolenTag.writerIndex() - WireFormat.AUTH_TAG_LENGTH,
                WireFormat.AUTH_TAG_LENGTH);
        victim.onDatagram(other, now);
        ByteBuf flipped = kill(K2, 7, 7, ts);
        flipped.setByte(40, flipped.getByte(40) ^ 1); // one bit of the KILL changed after signing
        victim.onDatagram(flipped, now);

        assertThat(stillArmed()).isTrue();
        assertThat(counters.get(Counter.REJECT_AUTH_MISSING)).isEqualTo(1);
        assertThat(counters.get(Counter.REJECT_AUTH_BAD_TAG)).isEqualTo(3);
        assertThat(counters.get(Counter.REJECT_AUTH_UNKNOWN_KEY)).isEqualTo(1);
        assertThat(counters.get(Counter.REJECT_FRAME_TRUNCATED) + counters.get(Counter.REJECT_AUTH_BAD_TAG)
                + counters.get(Counter.REJECT_TRAILING_BYTES)).as("the truncated tag is refused too").isGreaterThanOrEqualTo(4);
        assertThat(counters.get(Counter.FRAMES_IN_KILL)).isZero();
        assertThat(sent).isEmpty();
    }

    @Test
    void staleTimestampsAreRefusedEvenWhenTheSenderWasForgotten() {
        long old = System.currentTimeMillis() - Duration.ofSeconds(11).toMillis();
        victim.onDatagram(kill(K2, 7, 1, old), now);
        assertThat(counters.get(Counter.REJECT_STALE_TIMESTAMP)).isEqualTo(1);
        long future = System.currentTimeMillis() + Duration.ofSeconds(11).toMillis();
        victim.onDatagram(kill(K2, 7, 2, future), now);
        assertThat(counters.get(Counter.REJECT_STALE_TIMESTAMP)).isEqualTo(2);
        assertThat(stillArmed()).isTrue();
    }

    @Test
    void rotationAcceptsBothKeysDuringTheOverlapAndOnlyTheNewOneAfter() {
        victim.onDatagram(kill(K1, 7, 1, System.currentTimeMillis()), now);
        assertThat(stillArmed()).as("old key still accepted during the overlap").isFalse();

        Counters after = new Counters();
        NodeCore rotated = node(WheelcastNode.builder().clusterKey(K2), after);
        rotated.schedule(ID, 60_000, null, new CompletableFuture<>(), now);
        rotated.onDatagram(kill(K1, 7, 1, System.currentTimeMillis()), now);
        assertThat(after.get(Counter.REJECT_AUTH_UNKNOWN_KEY)).as("old key refused after the rotation").isEqualTo(1);
        rotated.onDatagram(kill(K2, 7, 2, System.currentTimeMillis()), now);
        assertThat(after.get(Counter.TIMERS_CANCELLED_REMOTELY)).isEqualTo(1);
    }

    @Test
    void outgoingDatagramsAreSignedWithTheCurrentKey() {
        victim.flush();
        assertThat(sent).hasSize(1);
        ByteBuf schedule = sent.get(0);
        Counters c = new Counters();
        NodeCore peer = node(WheelcastNode.builder().clusterKey(K2), c);
        peer.onDatagram(schedule, now);
        assertThat(c.get(Counter.REPLICAS_STORED)).isEqualTo(1);
        assertThat((int) schedule.getUnsignedByte(34)).as("key id in the header").isEqualTo(2);
    }

    @Test
    void textKillsCannotBeCombinedWithAKey() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> WheelcastNode.builder().clusterKey(K1).acceptTextKills(true).build())
                .hasMessageContaining("cannot be combined");
        org.assertj.core.api.Assertions.assertThat(K1.toString()).doesNotContain("11").contains("hidden");
    }
}
