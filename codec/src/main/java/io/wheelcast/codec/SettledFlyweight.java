package io.wheelcast.codec;

import io.netty.buffer.ByteBuf;

/**
 * SETTLED (type 9): how far the sender's expiries are settled; a node begins every datagram with one.
 *
 * <pre>
 *  0 frame header (type=9, flags, length = 8)
 *  4 u32 unsettledForMs  every timer due more than this before sending has fired and its listener returned (0: all due so far)
 * </pre>
 *
 * <p>An owner tells a timer's holders that it fired (FIRED) only once its listener returned, so
 * that a crash in between makes an adopter fire it again instead of nobody. A receiver may then
 * presume fired a copy whose FIRED it missed only if its deadline lies before the point this
 * frame names: every timer the sender fired earlier than {@code unsettledForMs} before sending it
 * has had its listener return, and its FIRED sent.
 */
public final class SettledFlyweight extends FrameFlyweight {
    public static final int UNSETTLED_FOR_OFFSET = 4;
    public static final int LENGTH = 8;

    @Override
    public SettledFlyweight wrap(ByteBuf buf, int offset) {
        super.wrap(buf, offset);
        return this;
    }

    public long unsettledForMs() {
        return buf.getUnsignedIntLE(offset + UNSETTLED_FOR_OFFSET);
    }

    public SettledFlyweight write(long unsettledForMs) {
        writeFrameHeader(WireFormat.TYPE_SETTLED, LENGTH);
        buf.setIntLE(offset + UNSETTLED_FOR_OFFSET, (int) Math.min(unsettledForMs, 0xFFFF_FFFFL));
        return this;
    }

    @Override
    public String toString() {
        return "SETTLED{unsettledForMs=" + unsettledForMs() + '}';
    }
}
