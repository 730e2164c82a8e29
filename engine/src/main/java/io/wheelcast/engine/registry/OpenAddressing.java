package io.wheelcast.engine.registry;

/**
 * The one subtle rule of linear probing with backward-shift deletion, shared by every
 * open-addressing table in the engine. Internal API.
 */
public final class OpenAddressing {
    private OpenAddressing() {
    }

    /**
     * Whether the entry at slot {@code j}, whose ideal slot is {@code ideal}, may move back into
     * the {@code hole}: true when its probe path from {@code ideal} to {@code j} passes the hole
     * (with wrap-around).
     */
    public static boolean canFillHole(int hole, int j, int ideal) {
        return hole <= j ? (ideal <= hole || ideal > j) : (ideal <= hole && ideal > j);
    }

    /** Smallest power of two at least twice {@code capacity} (load factor at most one half). */
    public static int tableSize(int capacity) {
        return Integer.highestOneBit(Math.max(2, capacity) * 2 - 1) << 1;
    }
}
