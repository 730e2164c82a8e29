package io.wheelcast.engine.registry;

/** What a registry entry is. Stored as its ordinal in a byte array. Internal API. */
public enum EntryKind {
    /** Free slab slot. */
    FREE,
    /** A timer this node owns, armed, waiting for its deadline. */
    LOCAL_ARMED,
    /** A timer this node owned that was cancelled; kept for a while to answer retransmitted KILLs. */
    LOCAL_CANCELLED,
    /** A timer this node owned that fired; kept for a while to answer KILLs with ALREADY_FIRED. */
    LOCAL_FIRED,
    /** Another node's timer, learned from its SCHEDULE; dropped on FIRED, KILL_ACK or its deadline plus grace. */
    REPLICA,
    /** A KILL for an id nobody here holds; cancels a SCHEDULE that arrives later. */
    TOMBSTONE;

    private static final EntryKind[] VALUES = values();

    public static EntryKind of(int ordinal) {
        return VALUES[ordinal];
    }
}
