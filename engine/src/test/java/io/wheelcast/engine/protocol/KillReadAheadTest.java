package io.wheelcast.engine.protocol;

import io.wheelcast.engine.WheelcastNode;
import io.wheelcast.engine.Counter;
import io.wheelcast.engine.config.NodeConfig;
import io.wheelcast.engine.counters.Counters;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.wheelcast.codec.Datagram;
import io.wheelcast.codec.DecodeStatus;
import io.wheelcast.codec.DecoderLimits;
import io.wheelcast.codec.Frame;
import io.wheelcast.codec.KillAckFlyweight;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The read-ahead of a batched datagram's KILL ids must hand every KILL frame its own id, in
 * frame order, whatever other frames sit between them, and fall back cleanly past its
 * capacity: each answer below pairs a request id with the id that request named.
 */
class KillReadAheadTest {
    private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
    private final List<Frame.KillAck> acks = new ArrayList<>();
    private final NodeCore core;
    private final Counters counters = new Counters();
    private long seq;

    KillReadAheadTest() {
        DatagramSink sink = new DatagramSink() {
            @Override
            public ByteBuf allocate(int capacity) {
                return alloc.heapBuffer(capacity);
            }

            @Override
            public void send(ByteBuf datagram) {
                Datagram.Decoded d = Datagram.decode(datagram, new DecoderLimits(65_507, 64, 1024, 4096), 0);
                assertThat(d.status()).isEqualTo(DecodeStatus.OK);
                for (Frame f : d.datagram().frames()) {
                    if (f instanceof Frame.KillAck a) {
                        acks.add(a);
                    }
                }
                datagram.release();
            }

            @Override
            public void flush() {
            }
        };
        NodeConfig config = WheelcastNode.builder().completionExecutor(Runnable::run).maxReceiveDatagramBytes(65_507)
                .heartbeatInterval(java.time.Duration.ZERO).build();
        core = new NodeCore(config, 1L, counters, sink, 0);
    }

    private static byte[] id(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private void arm(String... ids) {
        for (String i : ids) {
            core.schedule(id(i), 3_600_000, null, new CompletableFuture<>(), 0);
        }
    }

    private void receive(List<Frame> frames) {
        ByteBuf buf = alloc.heapBuffer(65_507);
        new Datagram(0, 2L, ++seq, 0, frames).encode(buf);
        core.onDatagram(buf, 0);
        core.tick(0);
        buf.release();
    }

    private Map<Long, String> answered() {
        Map<Long, String> byRequest = new LinkedHashMap<>();
        for (Frame.KillAck a : acks) {
            if (a.cancellerId() == 2L) {
                assertThat(a.outcome()).isEqualTo(KillAckFlyweight.OUTCOME_CANCELLED);
                byRequest.put(a.requestId(), new String(a.id(), StandardCharsets.US_ASCII));
            }
        }
        return byRequest;
    }

    @Test
    void killsInterleavedWithOtherFramesAreEachAnsweredForTheirOwnId() {
        arm("own-1", "own-3", "own-5");
        receive(List.of(
                new Frame.Kill(11, id("own-1")),
                new Frame.Heartbeat(0, 1000, 1),
                new Frame.Kill(12, id("nobody")),
                new Frame.KillAck(99, 3L, KillAckFlyweight.OUTCOME_CANCELLED, id("other")),
                new Frame.Kill(13, id("own-3"))));
        receive(List.of(new Frame.Kill(14, id("own-5")))); // one frame: no read-ahead

        assertThat(answered()).containsExactly(Map.entry(11L, "own-1"), Map.entry(13L, "own-3"), Map.entry(14L, "own-5"));
        assertThat(counters.get(Counter.TIMERS_CANCELLED_REMOTELY)).isEqualTo(3);
        assertThat(counters.get(Counter.TOMBSTONES_STORED)).as("the unknown id, and only it, left a tombstone").isEqualTo(1);
    }

    @Test
    void aDatagramWithMoreKillsThanTheReadAheadHoldsIsHandledWholly() {
        int kills = KillReadAhead.MAX_KILLS + 44;
        List<Frame> frames = new ArrayList<>();
        for (int i = 0; i < kills; i++) {
            String name = "k-" + i;
            if (i % 2 == 0) {
                arm(name);
            }
            frames.add(new Frame.Kill(1_000 + i, id(name)));
        }
        receive(frames);

        Map<Long, String> byRequest = answered();
        assertThat(byRequest).hasSize((kills + 1) / 2);
        for (int i = 0; i < kills; i += 2) {
            assertThat(byRequest.get(1_000L + i)).as("request %d", 1_000 + i).isEqualTo("k-" + i);
        }
        assertThat(counters.get(Counter.TOMBSTONES_STORED)).isEqualTo(kills / 2);
    }
}
