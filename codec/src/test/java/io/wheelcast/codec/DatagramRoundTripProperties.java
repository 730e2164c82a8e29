package io.wheelcast.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Any datagram the encoder can write, the decoder reads back identically. */
class DatagramRoundTripProperties {

    @Property(tries = 500)
    void encodeThenDecodeIsIdentity(@ForAll("datagrams") Datagram datagram) {
        ByteBuf buf = Unpooled.buffer();
        try {
            datagram.encode(buf);
            Datagram.Decoded decoded = Datagram.decode(buf, DecoderLimits.DEFAULT, Integer.toUnsignedLong(datagram.clusterId()));
            assertThat(decoded.status()).as("status for %s", datagram).isEqualTo(DecodeStatus.OK);
            assertThat(decoded.datagram()).usingRecursiveComparison().isEqualTo(datagram);
        } finally {
            buf.release();
        }
    }

    @Property(tries = 300)
    void everyStrictPrefixIsRejectedWithoutThrowing(@ForAll("datagrams") Datagram datagram) {
        ByteBuf buf = Unpooled.buffer();
        try {
            datagram.encode(buf);
            int full = buf.readableBytes();
            for (int len = 0; len < full; len++) {
                ByteBuf prefix = buf.slice(0, len);
                DecodeStatus status = new DatagramDecoder(DecoderLimits.DEFAULT, DatagramDecoder.ANY_CLUSTER).validate(prefix);
                assertThat(status).as("prefix of %d/%d bytes", len, full).isNotEqualTo(DecodeStatus.OK);
            }
        } finally {
            buf.release();
        }
    }

    @Provide
    Arbitrary<Datagram> datagrams() {
        Arbitrary<Frame> frame = Arbitraries.oneOf(schedules(), kills(), acks(), heartbeats(), fireds(), replicateds(), unknowns());
        return Combinators.combine(
                Arbitraries.integers(),
                Arbitraries.longs(),
                Arbitraries.longs(),
                Arbitraries.longs(),
                frame.list().ofMinSize(1).ofMaxSize(12))
                .as(Datagram::new);
    }

    private static Arbitrary<byte[]> ids() {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(64);
    }

    private static Arbitrary<Frame> schedules() {
        return Combinators.combine(Arbitraries.integers().between(0, 255), Arbitraries.longs(), Arbitraries.longs(), ids(),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(200))
                .as((fl, d, o, id, p) -> (Frame) new Frame.Schedule(fl, d, o, id, p));
    }

    private static Arbitrary<Frame> kills() {
        return Combinators.combine(Arbitraries.longs(), ids()).as((r, id) -> (Frame) new Frame.Kill(r, id));
    }

    private static Arbitrary<Frame> acks() {
        return Combinators.combine(Arbitraries.longs(), Arbitraries.longs(), Arbitraries.of(1, 2), ids())
                .as((r, c, o, id) -> (Frame) new Frame.KillAck(r, c, o, id));
    }

    private static Arbitrary<Frame> heartbeats() {
        Arbitrary<Long> u32 = Arbitraries.longs().between(0, 0xFFFF_FFFFL);
        return Combinators.combine(u32, u32, u32).as((a, b, c) -> (Frame) new Frame.Heartbeat(a, b, c));
    }

    private static Arbitrary<Frame> fireds() {
        return Combinators.combine(Arbitraries.longs(), ids()).as((o, id) -> (Frame) new Frame.Fired(o, id));
    }

    private static Arbitrary<Frame> replicateds() {
        return Combinators.combine(Arbitraries.longs(), ids()).as((o, id) -> (Frame) new Frame.Replicated(o, id));
    }

    /** Types 7..255 with any body: must be skipped by length and preserved. */
    private static Arbitrary<Frame> unknowns() {
        return Combinators.combine(Arbitraries.integers().between(7, 255),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40))
                .as((type, body) -> {
                    byte[] bytes = new byte[4 + body.length];
                    bytes[0] = (byte) (int) type;
                    bytes[2] = (byte) bytes.length;
                    bytes[3] = (byte) (bytes.length >>> 8);
                    System.arraycopy(body, 0, bytes, 4, body.length);
                    return (Frame) new Frame.Unknown(type, bytes);
                });
    }

    @Property(tries = 1000)
    void randomBytesNeverThrowAndRarelyPass(@ForAll byte[] noise) {
        ByteBuf buf = Unpooled.wrappedBuffer(noise);
        DecodeStatus status = new DatagramDecoder(DecoderLimits.DEFAULT, 7).validate(buf);
        // Noise almost never carries the magic, version and cluster id; when it does it must still be consistent.
        if (status == DecodeStatus.OK) {
            assertThat(Datagram.decode(buf, DecoderLimits.DEFAULT, 7).datagram().frames()).isNotEmpty();
        }
        assertThat(List.of(DecodeStatus.values())).contains(status);
    }
}
