package io.wheelcast.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arrays;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Any datagram the encoder can write, the decoder reads back identically (QuickTheories: a
 * failure prints the shrunk example and the seed to replay it with {@code withFixedSeed}).
 */
class DatagramRoundTripProperties {

    @Test
    void encodeThenDecodeIsIdentity() {
        qt().withExamples(500).forAll(datagrams()).checkAssert(datagram -> {
            ByteBuf buf = Unpooled.buffer();
            try {
                datagram.encode(buf);
                Datagram.Decoded decoded = Datagram.decode(buf, DecoderLimits.DEFAULT, Integer.toUnsignedLong(datagram.clusterId()));
                assertThat(decoded.status()).as("status for %s", datagram).isEqualTo(DecodeStatus.OK);
                assertThat(decoded.datagram()).usingRecursiveComparison().isEqualTo(datagram);
            } finally {
                buf.release();
            }
        });
    }

    @Test
    void everyStrictPrefixIsRejectedWithoutThrowing() {
        qt().withExamples(300).forAll(datagrams()).checkAssert(datagram -> {
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
        });
    }

    @Test
    void randomBytesNeverThrowAndRarelyPass() {
        qt().withExamples(1000).forAll(bytes(0, 600)).checkAssert(noise -> {
            ByteBuf buf = Unpooled.wrappedBuffer(noise);
            DecodeStatus status = new DatagramDecoder(DecoderLimits.DEFAULT, 7).validate(buf);
            // Noise almost never carries the magic, version and cluster id; when it does it must still be consistent.
            if (status == DecodeStatus.OK) {
                assertThat(Datagram.decode(buf, DecoderLimits.DEFAULT, 7).datagram().frames()).isNotEmpty();
            }
            assertThat(List.of(DecodeStatus.values())).contains(status);
        });
    }

    static Gen<Datagram> datagrams() {
        Gen<Frame> frame = Generate.oneOf(schedules(), kills(), acks(), forwards(), heartbeats(), settleds(), fireds(), replicateds(), members(), unknowns());
        return integers().all().zip(longs().all(), longs().all(), longs().all(),
                (cluster, sender, sequence, timestamp) -> new long[] {cluster, sender, sequence, timestamp})
                .zip(lists().of(frame).ofSizeBetween(1, 12),
                        (h, frames) -> new Datagram((int) h[0], h[1], h[2], h[3], frames));
    }

    /** Byte arrays of {@code min..max} bytes, shrinking towards shorter arrays of zeros. */
    static Gen<byte[]> bytes(int min, int max) {
        return arrays().ofClass(Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0), Byte.class)
                .withLengthBetween(min, max)
                .map(boxed -> {
                    byte[] out = new byte[boxed.length];
                    for (int i = 0; i < out.length; i++) {
                        out[i] = boxed[i];
                    }
                    return out;
                });
    }

    private static Gen<byte[]> ids() {
        return bytes(1, 64);
    }

    private static Gen<Frame> schedules() {
        return integers().between(0, 255).zip(longs().all(), longs().all(), ids(), bytes(0, 200),
                (fl, d, o, id, p) -> (Frame) new Frame.Schedule(fl, d, o, id, p));
    }

    private static Gen<Frame> kills() {
        return longs().all().zip(ids(), (r, id) -> (Frame) new Frame.Kill(r, id));
    }

    private static Gen<Frame> acks() {
        return longs().all().zip(longs().all(), integers().between(1, 2), ids(),
                (r, c, o, id) -> (Frame) new Frame.KillAck(r, c, o, id));
    }

    private static Gen<Frame> forwards() {
        return longs().all().zip(longs().all(), ids(), (r, c, id) -> (Frame) new Frame.KillForward(r, c, id));
    }

    private static Gen<Frame> heartbeats() {
        Gen<Long> u32 = longs().between(0, 0xFFFF_FFFFL);
        return u32.zip(u32, u32, (a, b, c) -> (Frame) new Frame.Heartbeat(a, b, c));
    }

    private static Gen<Frame> settleds() {
        return longs().between(0, 0xFFFF_FFFFL).map(u -> (Frame) new Frame.Settled(u));
    }

    private static Gen<Frame> fireds() {
        return longs().all().zip(ids(), (o, id) -> (Frame) new Frame.Fired(o, id));
    }

    private static Gen<Frame> replicateds() {
        return longs().all().zip(ids(), (o, id) -> (Frame) new Frame.Replicated(o, id));
    }

    /** MEMBERS lists of 1..20 entries, IPv4 (4 address bytes) or IPv6 (16). */
    private static Gen<Frame> members() {
        Gen<Frame.Member> member = longs().all().zip(integers().between(0, 65_535), Generate.booleans(),
                (id, port, v4) -> new long[] {id, port, v4 ? 4 : 16})
                .zip(bytes(16, 16), (m, addr) -> new Frame.Member(m[0], (int) m[1], java.util.Arrays.copyOf(addr, (int) m[2])));
        return lists().of(member).ofSizeBetween(1, 20).map(list -> (Frame) new Frame.Members(list));
    }

    /** Types 9..255 with any body: must be skipped by length and preserved. */
    private static Gen<Frame> unknowns() {
        return integers().between(10, 255).zip(bytes(0, 40), (type, body) -> {
            byte[] bytes = new byte[4 + body.length];
            bytes[0] = (byte) (int) type;
            bytes[2] = (byte) bytes.length;
            bytes[3] = (byte) (bytes.length >>> 8);
            System.arraycopy(body, 0, bytes, 4, body.length);
            return (Frame) new Frame.Unknown(type, bytes);
        });
    }
}
