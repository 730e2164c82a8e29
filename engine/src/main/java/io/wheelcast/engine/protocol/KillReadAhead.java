package io.wheelcast.engine.protocol;

import io.netty.buffer.ByteBuf;
import io.wheelcast.codec.DatagramDecoder;
import io.wheelcast.codec.IdBytes;
import io.wheelcast.engine.registry.TimerRegistry;

/**
 * The KILL ids of one datagram, copied and hashed before its frames are handled, with the
 * registry's cache lines for them loaded together. A batched datagram carries ~50 kills for
 * ids spread over a table far larger than the caches; handled one by one, each lookup waited
 * for its own misses (half the W1-native receiver's loop time). Read ahead, the misses overlap.
 * The frames are still handled one by one, in order; {@link #next} hands each KILL its copy.
 *
 * <p>Loop-confined, like {@link NodeCore}.
 */
final class KillReadAhead implements DatagramDecoder.KillIdVisitor {
    /** Kills per datagram read ahead; a datagram with more handles the rest without (64 KiB datagrams of tiny ids). */
    static final int MAX_KILLS = 256;

    private final int maxIdLength;
    private final byte[] ids;
    private final int[] lengths = new int[MAX_KILLS];
    private final int[] hashes = new int[MAX_KILLS];
    private final int[] handles = new int[MAX_KILLS];
    private int count;
    private int cursor;
    /** Sink for the prefetch loads, so the JIT keeps them (a field store is never dropped). */
    private long touched;

    KillReadAhead(int maxIdLength) {
        this.maxIdLength = maxIdLength;
        this.ids = new byte[MAX_KILLS * maxIdLength];
    }

    /** Reads the datagram's KILL ids ahead and warms the registry for them. */
    void readAhead(DatagramDecoder decoder, TimerRegistry registry) {
        count = 0;
        cursor = 0;
        decoder.visitKillIds(this);
        if (count > 1) {
            touched += registry.prefetch(hashes, count, handles);
        }
    }

    @Override
    public void onKillId(ByteBuf buf, int idIndex, int idLength) {
        if (count < MAX_KILLS) {
            int at = count * maxIdLength;
            buf.getBytes(idIndex, ids, at, idLength);
            lengths[count] = idLength;
            hashes[count] = IdBytes.hash(ids, at, idLength);
            count++;
        }
    }

    /** The next KILL frame's slot in this batch, or -1 past the read-ahead (handle it directly). */
    int next() {
        int k = cursor++;
        return k < count ? k : -1;
    }

    /** Forgets the batch: frames dispatched outside {@link #readAhead} must not take its ids. */
    void clear() {
        count = 0;
        cursor = 0;
    }

    byte[] ids() {
        return ids;
    }

    int offset(int k) {
        return k * maxIdLength;
    }

    int length(int k) {
        return lengths[k];
    }

    int hash(int k) {
        return hashes[k];
    }
}
