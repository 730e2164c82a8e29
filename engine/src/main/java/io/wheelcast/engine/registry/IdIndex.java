package io.wheelcast.engine.registry;

/**
 * Open-addressing hash index from timer id to handle, with linear probing and backward-shift
 * deletion (no tombstone slots, so probe lengths stay short under churn). Ids live in a fixed
 * arena of {@code maxIdLength} bytes per handle: storing or looking up an id never allocates.
 *
 * <p>Internal API: confined to one thread.
 */
public final class IdIndex {
    private static final int EMPTY = 0;

    private final int[] table;
    private final int mask;
    private final int maxIdLength;
    private final byte[] arena;
    private final int[] idLengths;
    private final int[] hashes;

    public IdIndex(int capacity, int maxIdLength) {
        int tableSize = OpenAddressing.tableSize(capacity);
        this.table = new int[tableSize];
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
            int slot = table[i];
            if (slot == EMPTY) {
                return -1;
            }
            int h = slot - 1;
            if (hashes[h] == hash && idLengths[h] == length
                    && java.util.Arrays.equals(arena, h * maxIdLength, h * maxIdLength + length, id, offset, offset + length)) {
                return h;
            }
        }
    }

    /** Stores the id for a free handle and indexes it. The id must not be indexed already. */
    public void insert(int handle, byte[] id, int offset, int length, int hash) {
        System.arraycopy(id, offset, arena, handle * maxIdLength, length);
        link(handle, length, hash);
    }

    private void link(int handle, int length, int hash) {
        idLengths[handle] = length;
        hashes[handle] = hash;
        int i = hash & mask;
        while (table[i] != EMPTY) {
            i = (i + 1) & mask;
        }
        table[i] = handle + 1;
    }

    /** Removes {@code handle} from the index (its slot must be present). */
    public void remove(int handle) {
        int i = hashes[handle] & mask;
        while (table[i] != handle + 1) {
            i = (i + 1) & mask;
        }
        // Backward-shift: pull later entries of the probe chain into the hole.
        int hole = i;
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            int slot = table[j];
            if (slot == EMPTY) {
                break;
            }
            int ideal = hashes[slot - 1] & mask;
            if (OpenAddressing.canFillHole(hole, j, ideal)) {
                table[hole] = slot;
                hole = j;
            }
        }
        table[hole] = EMPTY;
        idLengths[handle] = 0;
    }
}
