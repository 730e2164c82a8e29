package io.wheelcast.engine.registry;

/**
 * Open-addressing hash index from timer id to handle, with linear probing and backward-shift
 * deletion (no tombstone slots, so probe lengths stay short under churn). Ids live in a fixed
 * arena of {@code maxIdLength} bytes per handle: storing or looking up an id never allocates.
 *
 * <p>Each slot holds the id's 32-bit hash next to its handle ({@code hash << 32 | handle + 1}).
 * With a million ids the table and the per-handle arrays are far larger than the caches, so a
 * lookup costs its cache misses: a probe that only saw the handle had to load the handle's
 * stored hash (a second miss) before it could reject or accept it, and the W1 receiver spent
 * half its loop time there (JFR with DebugNonSafepoints). Now a probe rejects on the slot alone,
 * and only a hash match touches the id arena.
 *
 * <p>Internal API: confined to one thread.
 */
public final class IdIndex {
    private static final long EMPTY = 0;

    private final long[] table;
    private final int mask;
    private final int maxIdLength;
    private final byte[] arena;
    private final int[] idLengths;
    private final int[] hashes;

    public IdIndex(int capacity, int maxIdLength) {
        int tableSize = OpenAddressing.tableSize(capacity);
        this.table = new long[tableSize];
        this.mask = tableSize - 1;
        this.maxIdLength = maxIdLength;
        this.arena = new byte[Math.multiplyExact(capacity, maxIdLength)];
        this.idLengths = new int[capacity];
        this.hashes = new int[capacity];
    }

    public int maxIdLength() {
        return maxIdLength;
    }

    /** Backing array of stored ids; the id of {@code handle} starts at {@link #idOffset}. */
    public byte[] arena() {
        return arena;
    }

    public int idOffset(int handle) {
        return handle * maxIdLength;
    }

    public int idLength(int handle) {
        return idLengths[handle];
    }

    public byte[] idCopy(int handle) {
        byte[] out = new byte[idLengths[handle]];
        System.arraycopy(arena, handle * maxIdLength, out, 0, out.length);
        return out;
    }

    /** The stored hash of a live handle's id. */
    public int hash(int handle) {
        return hashes[handle];
    }

    public int find(byte[] id, int offset, int length, int hash) {
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            long slot = table[i];
            if (slot == EMPTY) {
                return -1;
            }
            if ((int) (slot >>> 32) == hash) {
                int h = (int) slot - 1;
                if (idLengths[h] == length
                        && java.util.Arrays.equals(arena, h * maxIdLength, h * maxIdLength + length, id, offset, offset + length)) {
                    return h;
                }
            }
        }
    }

    /**
     * Brings what {@link #find} will read for these hashes into the cache, all at once: first the
     * table slots, then, where a slot's tag matches, the handle's id and length. The loads are
     * independent of each other, so the CPU overlaps their misses instead of taking them one
     * after another inside each find. Only first probes are followed (the table is at most half
     * full). Returns a value derived from the loads so they are not optimised away.
     *
     * @param handles receives, per hash, the handle its first probe pointed at with a matching tag, or -1
     */
    public long touch(int[] hashes, int n, int[] handles) {
        long sum = 0;
        for (int k = 0; k < n; k++) {
            sum += table[hashes[k] & mask];
        }
        for (int k = 0; k < n; k++) {
            long slot = table[hashes[k] & mask];
            int h = (int) slot - 1;
            if (slot != EMPTY && (int) (slot >>> 32) == hashes[k]) {
                sum += arena[h * maxIdLength] + idLengths[h];
                handles[k] = h;
            } else {
                handles[k] = -1;
            }
        }
        return sum;
    }

    /** Stores the id for a free handle and indexes it. The id must not be indexed already. */
    public void insert(int handle, byte[] id, int offset, int length, int hash) {
        System.arraycopy(id, offset, arena, handle * maxIdLength, length);
        idLengths[handle] = length;
        hashes[handle] = hash;
        int i = hash & mask;
        while (table[i] != EMPTY) {
            i = (i + 1) & mask;
        }
        table[i] = slot(handle, hash);
    }

    private static long slot(int handle, int hash) {
        return (long) hash << 32 | (handle + 1L);
    }

    /** Removes {@code handle} from the index (its slot must be present). */
    public void remove(int handle) {
        long mine = slot(handle, hashes[handle]);
        int i = hashes[handle] & mask;
        while (table[i] != mine) {
            i = (i + 1) & mask;
        }
        // Backward-shift: pull later entries of the probe chain into the hole.
        int hole = i;
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            long slot = table[j];
            if (slot == EMPTY) {
                break;
            }
            int ideal = (int) (slot >>> 32) & mask;
            if (OpenAddressing.canFillHole(hole, j, ideal)) {
                table[hole] = slot;
                hole = j;
            }
        }
        table[hole] = EMPTY;
        idLengths[handle] = 0;
    }
}
