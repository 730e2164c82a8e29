package io.wheelcast.codec;

import io.netty.buffer.ByteBuf;

/**
 * The classic snippet's datagram: ASCII {@code kill:} followed by the id (UTF-8); one trailing
 * newline or carriage return is tolerated, as shell tools add one.
 */
public final class TextKill {
    public static final int PREFIX_LENGTH = 5;
    private static final byte[] PREFIX = {'k', 'i', 'l', 'l', ':'};

    private TextKill() {
    }

    public static boolean matches(ByteBuf buf) {
        if (buf.readableBytes() < PREFIX_LENGTH) {
            return false;
        }
        int at = buf.readerIndex();
        for (int i = 0; i < PREFIX_LENGTH; i++) {
            if (buf.getByte(at + i) != PREFIX[i]) {
                return false;
            }
        }
        return true;
    }

    /** Length of the id after the prefix, without trailing CR/LF. */
    public static int idLength(ByteBuf buf) {
        int end = buf.writerIndex();
        int start = buf.readerIndex() + PREFIX_LENGTH;
        while (end > start && (buf.getByte(end - 1) == '\n' || buf.getByte(end - 1) == '\r')) {
            end--;
        }
        return end - start;
    }

    public static void write(ByteBuf out, byte[] id) {
        out.writeBytes(PREFIX).writeBytes(id);
    }
}
