package io.wheelcast.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A corpus of hand-made bad datagrams, each with the exact reason the decoder must give. */
class MalformedDatagramTest {
    private static final byte[] ID = "job-42".getBytes(StandardCharsets.UTF_8);

    private static ByteBuf valid(Frame... frames) {
        ByteBuf buf = Unpooled.buffer();
        new Datagram(7, 99L, 1L, 1000L, List.of(frames)).encode(buf);
        return buf;
    }

    private static DecodeStatus validate(ByteBuf buf) {
        return new DatagramDecoder(DecoderLimits.DEFAULT, 7).validate(buf);
    }

    @Test
    void acceptsAWellFormedDatagram() {
        assertThat(validate(valid(new Frame.Kill(5, ID)))).isEqualTo(DecodeStatus.OK);
    }

    @Test
    void rejectsEmptyAndShort() {
        assertThat(validate(Unpooled.EMPTY_BUFFER)).isEqualTo(DecodeStatus.TOO_SHORT);
        assertThat(validate(Unpooled.wrappedBuffer(new byte[35]))).isEqualTo(DecodeStatus.TOO_SHORT);
    }

    @Test
    void rejectsTheClassicTextSnippet() {
        ByteBuf text = Unpooled.copiedBuffer("kill:job-42 padded to pass the length check.....", StandardCharsets.US_ASCII);
        assertThat(validate(text)).isEqualTo(DecodeStatus.BAD_MAGIC);
    }

    @Test
    void rejectsWrongVersionAndCluster() {
        ByteBuf b = valid(new Frame.Kill(5, ID));
        b.setByte(HeaderFlyweight.VERSION_OFFSET, 2);
        assertThat(validate(b)).isEqualTo(DecodeStatus.UNSUPPORTED_VERSION);
        ByteBuf c = valid(new Frame.Kill(5, ID));
        c.setIntLE(HeaderFlyweight.CLUSTER_ID_OFFSET, 8);
        assertThat(validate(c)).isEqualTo(DecodeStatus.WRONG_CLUSTER);
    }

    @Test
    void rejectsFrameCountLies() {
        ByteBuf zero = valid(new Frame.Kill(5, ID));
        zero.setShortLE(HeaderFlyweight.FRAME_COUNT_OFFSET, 0);
        assertThat(validate(zero)).isEqualTo(DecodeStatus.NO_FRAMES);
        ByteBuf more = valid(new Frame.Kill(5, ID));
        more.setShortLE(HeaderFlyweight.FRAME_COUNT_OFFSET, 2);
        assertThat(validate(more)).isEqualTo(DecodeStatus.FRAME_COUNT_MISMATCH);
        ByteBuf fewer = valid(new Frame.Kill(5, ID), new Frame.Kill(6, ID));
        fewer.setShortLE(HeaderFlyweight.FRAME_COUNT_OFFSET, 1);
        assertThat(validate(fewer)).isEqualTo(DecodeStatus.TRAILING_BYTES);
        ByteBuf huge = valid(new Frame.Kill(5, ID));
        huge.setShortLE(HeaderFlyweight.FRAME_COUNT_OFFSET, 60_000);
        assertThat(validate(huge)).isEqualTo(DecodeStatus.TOO_MANY_FRAMES);
    }

    @Test
    void rejectsLengthsThatLie() {
        int frame = HeaderFlyweight.HEADER_LENGTH;
        ByteBuf tooLong = valid(new Frame.Kill(5, ID));
        tooLong.setShortLE(frame + FrameFlyweight.LENGTH_OFFSET, 0xFFFF);
        assertThat(validate(tooLong)).isEqualTo(DecodeStatus.FRAME_TRUNCATED);
        ByteBuf tiny = valid(new Frame.Kill(5, ID));
        tiny.setShortLE(frame + FrameFlyweight.LENGTH_OFFSET, 2);
        assertThat(validate(tiny)).isEqualTo(DecodeStatus.FRAME_LENGTH_INVALID);
        ByteBuf idLies = valid(new Frame.Kill(5, ID));
        idLies.setShortLE(frame + KillFlyweight.ID_LENGTH_OFFSET, ID.length + 1);
        assertThat(validate(idLies)).isEqualTo(DecodeStatus.FRAME_LENGTH_INVALID);
        ByteBuf payloadLies = valid(new Frame.Schedule(10, 1, ID, new byte[3]));
        payloadLies.setShortLE(frame + ScheduleFlyweight.PAYLOAD_LENGTH_OFFSET, 4);
        assertThat(validate(payloadLies)).isEqualTo(DecodeStatus.FRAME_LENGTH_INVALID);
        ByteBuf cut = valid(new Frame.Kill(5, ID));
        cut.writerIndex(HeaderFlyweight.HEADER_LENGTH + 2);
        assertThat(validate(cut)).isEqualTo(DecodeStatus.FRAME_HEADER_TRUNCATED);
    }

    @Test
    void rejectsIdAndPayloadBounds() {
        assertThat(validate(valid(new Frame.Kill(5, new byte[0])))).isEqualTo(DecodeStatus.ID_EMPTY);
        assertThat(validate(valid(new Frame.Kill(5, new byte[65])))).isEqualTo(DecodeStatus.ID_TOO_LONG);
        assertThat(validate(valid(new Frame.Schedule(1, 1, ID, new byte[1025])))).isEqualTo(DecodeStatus.PAYLOAD_TOO_LONG);
        assertThat(validate(valid(new Frame.KillAck(1, 1, 9, ID)))).isEqualTo(DecodeStatus.BAD_OUTCOME);
        ByteBuf hb = valid(new Frame.Heartbeat(1, 2, 3));
        hb.setShortLE(HeaderFlyweight.HEADER_LENGTH + FrameFlyweight.LENGTH_OFFSET, 12);
        hb.writerIndex(hb.writerIndex() - 4);
        assertThat(validate(hb)).isEqualTo(DecodeStatus.FRAME_LENGTH_INVALID);
        ByteBuf settled = valid(new Frame.Settled(40), new Frame.Kill(5, ID));
        settled.setShortLE(HeaderFlyweight.HEADER_LENGTH + FrameFlyweight.LENGTH_OFFSET, 12); // swallows the kill's first 4 bytes
        assertThat(validate(settled)).isEqualTo(DecodeStatus.FRAME_LENGTH_INVALID);
    }

    @Test
    void everyLengthFieldAtItsMaximumIsRejected() {
        int f = HeaderFlyweight.HEADER_LENGTH;
        int[][] fields = {
                {0, FrameFlyweight.LENGTH_OFFSET}, {0, ScheduleFlyweight.ID_LENGTH_OFFSET}, {0, ScheduleFlyweight.PAYLOAD_LENGTH_OFFSET},
                {1, FrameFlyweight.LENGTH_OFFSET}, {1, KillFlyweight.ID_LENGTH_OFFSET},
                {2, FrameFlyweight.LENGTH_OFFSET}, {2, KillAckFlyweight.ID_LENGTH_OFFSET},
                {3, FrameFlyweight.LENGTH_OFFSET},
                {4, FrameFlyweight.LENGTH_OFFSET}, {4, FiredFlyweight.ID_LENGTH_OFFSET},
                {5, FrameFlyweight.LENGTH_OFFSET}, {5, ReplicatedFlyweight.ID_LENGTH_OFFSET},
                {6, FrameFlyweight.LENGTH_OFFSET}, {6, KillForwardFlyweight.ID_LENGTH_OFFSET},
                {7, FrameFlyweight.LENGTH_OFFSET}};
        Frame[] frames = {new Frame.Schedule(1, 2, ID, new byte[3]), new Frame.Kill(5, ID), new Frame.KillAck(1, 2, 1, ID),
                new Frame.Heartbeat(1, 2, 3), new Frame.Fired(2, ID), new Frame.Replicated(2, ID),
                new Frame.KillForward(1, 2, ID), new Frame.Settled(3)};
        for (int[] field : fields) {
            ByteBuf b = valid(frames[field[0]]);
            b.setShortLE(f + field[1], 0xFFFF);
            assertThat(validate(b)).as("frame %s, field at %d = 0xFFFF", frames[field[0]].getClass().getSimpleName(), field[1])
                    .isNotEqualTo(DecodeStatus.OK);
        }
        ByteBuf count = valid(new Frame.Kill(5, ID));
        count.setShortLE(HeaderFlyweight.FRAME_COUNT_OFFSET, 0xFFFF);
        assertThat(validate(count)).isEqualTo(DecodeStatus.TOO_MANY_FRAMES);
    }

    @Test
    void rejectsOversizedDatagram() {
        ByteBuf b = valid(new Frame.Kill(5, ID));
        DecodeStatus s = new DatagramDecoder(new DecoderLimits(40, 64, 0, 8), 7).validate(b);
        assertThat(s).isEqualTo(DecodeStatus.TOO_LONG);
    }

    @Test
    void skipsUnknownFrameTypesByLength() {
        byte[] unknown = {(byte) 200, 0, 8, 0, 1, 2, 3, 4};
        ByteBuf b = valid(new Frame.Unknown(200, unknown), new Frame.Kill(5, ID));
        Datagram.Decoded d = Datagram.decode(b, DecoderLimits.DEFAULT, 7);
        assertThat(d.status()).isEqualTo(DecodeStatus.OK);
        assertThat(d.datagram().frames()).hasSize(2).element(1).isInstanceOf(Frame.Kill.class);
    }

    @Test
    void aBadLastFrameMeansNoFrameIsDispatched() {
        ByteBuf b = valid(new Frame.Kill(5, ID), new Frame.KillAck(1, 1, 9, ID));
        DatagramDecoder decoder = new DatagramDecoder(DecoderLimits.DEFAULT, 7);
        assertThat(decoder.validate(b)).isEqualTo(DecodeStatus.BAD_OUTCOME);
        assertThatThrownBy(() -> decoder.dispatch(null)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void authenticatedFlagReservesTheTrailingTag() {
        ByteBuf b = valid(new Frame.Kill(5, ID));
        b.setByte(HeaderFlyweight.FLAGS_OFFSET, WireFormat.FLAG_AUTHENTICATED);
        assertThat(validate(b)).as("no room was left for a tag").isEqualTo(DecodeStatus.FRAME_TRUNCATED);
        b.writeZero(WireFormat.AUTH_TAG_LENGTH);
        DatagramDecoder decoder = new DatagramDecoder(DecoderLimits.DEFAULT, 7);
        assertThat(decoder.validate(b)).isEqualTo(DecodeStatus.OK);
        assertThat(decoder.framesEnd()).isEqualTo(b.writerIndex() - WireFormat.AUTH_TAG_LENGTH);
    }

    @Test
    void writerRefusesFramesThatDoNotFit() {
        DatagramWriter w = new DatagramWriter(HeaderFlyweight.HEADER_LENGTH + 40, 10, null);
        ByteBuf b = Unpooled.buffer();
        w.begin(b, 7, 1, 1, 1);
        assertThat(w.appendKill(1, ID, 0, ID.length)).isTrue();
        assertThat(w.appendKill(2, ID, 0, ID.length)).as("second kill exceeds 40 bytes").isFalse();
        int len = w.finish();
        assertThat(len).isEqualTo(HeaderFlyweight.HEADER_LENGTH + KillFlyweight.frameLength(ID.length));
        assertThat(validate(b)).isEqualTo(DecodeStatus.OK);
    }
}
