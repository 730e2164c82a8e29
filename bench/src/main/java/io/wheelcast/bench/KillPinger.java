package io.wheelcast.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.wheelcast.codec.DatagramWriter;
import io.wheelcast.codec.HeaderFlyweight;
import io.wheelcast.codec.KillAckFlyweight;
import io.wheelcast.codec.WireFormat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;

/**
 * W2's node A: one KILL datagram out, then waits for the owner's KILL_ACK carrying that
 * request id. One outstanding round trip at a time; this class allocates nothing per round trip.
 */
final class KillPinger implements AutoCloseable {
    private final DatagramChannel ch;
    private final InetSocketAddress group;
    private final DatagramWriter writer = new DatagramWriter(1400, 512, null);
    private final ByteBuf out = Unpooled.directBuffer(2048);
    private final ByteBuffer in = ByteBuffer.allocateDirect(65_536).order(ByteOrder.LITTLE_ENDIAN);
    private final long senderId;
    private long seq;

    /** @param spin poll a non-blocking socket instead of blocking in {@code receive} */
    KillPinger(long senderId, boolean spin) throws Exception {
        this.senderId = senderId;
        this.group = Workloads.ownerTarget();
        this.ch = Workloads.rawChannel(true);
        ch.configureBlocking(!spin);
    }

    /** Sends a KILL of {@code id} and returns the nanoseconds until its KILL_ACK arrived. */
    long roundTrip(byte[] id) throws Exception {
        long requestId = ++seq;
        out.clear();
        writer.begin(out, 1, senderId, requestId, 0);
        writer.appendKill(requestId, id, 0, id.length);
        writer.finish();
        long t0 = System.nanoTime();
        ch.send(out.nioBuffer(), group);
        while (true) {
            in.clear();
            if (ch.receive(in) == null) {
                Thread.onSpinWait();
                continue;
            }
            if (isAckFor(in, requestId)) {
                return System.nanoTime() - t0;
            }
        }
    }

    private static boolean isAckFor(ByteBuffer in, long requestId) {
        int len = in.position();
        if (len < HeaderFlyweight.HEADER_LENGTH + 4) {
            return false;
        }
        int at = HeaderFlyweight.HEADER_LENGTH;
        int frames = in.getShort(HeaderFlyweight.FRAME_COUNT_OFFSET) & 0xFFFF;
        for (int f = 0; f < frames && at + 4 <= len; f++) {
            int type = in.get(at) & 0xFF;
            int flen = in.getShort(at + 2) & 0xFFFF;
            if (type == WireFormat.TYPE_KILL_ACK && in.getLong(at + KillAckFlyweight.REQUEST_ID_OFFSET) == requestId) {
                return true;
            }
            if (flen < 4) {
                return false;
            }
            at += flen;
        }
        return false;
    }

    /** Closes the socket from another thread: a waiting {@link #roundTrip} throws {@code ClosedChannelException}. */
    void abort() {
        try {
            ch.close();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws Exception {
        out.release();
        ch.close();
    }
}
