package io.wheelcast.codec;

import io.netty.buffer.ByteBuf;

/**
 * The 4-byte header every frame starts with: type (u8), flags (u8), length (u16, the whole
 * frame including these 4 bytes). Subclasses add the fields of one frame type.
 *
 * @see <a href="../../../../../../docs/wire-format.md">docs/wire-format.md</a>
 */
public class FrameFlyweight {
    public static final int TYPE_OFFSET = 0;
    public static final int FLAGS_OFFSET = 1;
    public static final int LENGTH_OFFSET = 2;

    protected ByteBuf buf;
    protected int offset;

    public FrameFlyweight wrap(ByteBuf buf, int offset) {
        this.buf = buf;
        this.offset = offset;
        return this;
    }

    public ByteBuf buffer() {
        return buf;
    }

    public int offset() {
        return offset;
    }

    public int type() {
        return buf.getUnsignedByte(offset + TYPE_OFFSET);
    }

    public int frameFlags() {
        return buf.getUnsignedByte(offset + FLAGS_OFFSET);
    }

    public int frameLength() {
        return buf.getUnsignedShortLE(offset + LENGTH_OFFSET);
    }

    /** Sets the frame's flags byte (after the frame is written). */
    public void frameFlags(int flags) {
        buf.setByte(offset + FLAGS_OFFSET, flags);
    }

    protected void writeFrameHeader(int type, int length) {
        buf.setByte(offset + TYPE_OFFSET, type);
        buf.setByte(offset + FLAGS_OFFSET, 0);
        buf.setShortLE(offset + LENGTH_OFFSET, length);
    }

    /** Copies {@code length} bytes at {@code at} (relative to the frame) into a new array; for tools, not the hot path. */
    protected byte[] copy(int at, int length) {
        byte[] out = new byte[length];
        buf.getBytes(offset + at, out);
        return out;
    }
}
