package io.wheelcast.engine.registry;

/**
 * Every id this node knows about, in one slab of parallel arrays addressed by int handles:
 * own timers, records of cancelled and fired ones, replicas of other nodes' timers and
 * tombstones of early kills. One {@link IdIndex} finds an entry by id, one {@link TimerWheel}
 * holds each entry's next deadline (fire time, grace end or record expiry). Each kind has its
 * own bound; inserting past it fails and the caller counts the drop.
 *
 * <p>Internal API: confined to the event loop.
 */
public final class TimerRegistry {
    private final IdIndex index;
    private final TimerWheel wheel;
    private final byte[] kinds;
    private final long[] owners;
    private final long[] requestIds;
    private final long[] cancellers;
    private final byte[][] payloads;
    private final int[] freeStack;
    private int freeTop;
    private final int[] counts = new int[EntryKind.values().length];
    private final int[] limits = new int[EntryKind.values().length];

    /**
     * @param maxTimers     bound on LOCAL_ARMED
     * @param maxReplicas   bound on REPLICA
     * @param maxTombstones bound on TOMBSTONE, LOCAL_CANCELLED and LOCAL_FIRED together
     */
    public TimerRegistry(int maxTimers, int maxReplicas, int maxTombstones, int maxIdLength,
                         long startMs, long tickMs, int wheelSlots) {
        int capacity = Math.addExact(Math.addExact(maxTimers, maxReplicas), maxTombstones);
        this.index = new IdIndex(capacity, maxIdLength);
        this.wheel = new TimerWheel(startMs, tickMs, wheelSlots, capacity);
        this.kinds = new byte[capacity];
        this.owners = new long[capacity];
        this.requestIds = new long[capacity];
        this.cancellers = new long[capacity];
        this.payloads = new byte[capacity][];
        this.freeStack = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            freeStack[i] = capacity - 1 - i;
        }
        this.freeTop = capacity;
        limits[EntryKind.LOCAL_ARMED.ordinal()] = maxTimers;
        limits[EntryKind.REPLICA.ordinal()] = maxReplicas;
        limits[EntryKind.TOMBSTONE.ordinal()] = maxTombstones;
    }

    public IdIndex ids() {
        return index;
    }

    public TimerWheel wheel() {
        return wheel;
    }

    public int find(byte[] id, int offset, int length, int hash) {
        return index.find(id, offset, length, hash);
    }

    public EntryKind kind(int h) {
        return EntryKind.of(kinds[h]);
    }

    public int count(EntryKind kind) {
        return counts[kind.ordinal()];
    }

    /** Entries of the tombstone class: tombstones and both kinds of records. */
    public int tombstoneClassCount() {
        return counts[EntryKind.TOMBSTONE.ordinal()] + counts[EntryKind.LOCAL_CANCELLED.ordinal()]
                + counts[EntryKind.LOCAL_FIRED.ordinal()];
    }

    /** Whether another entry of {@code kind} fits under its bound. */
    public boolean hasRoom(EntryKind kind) {
        return switch (kind) {
            case LOCAL_ARMED, REPLICA -> counts[kind.ordinal()] < limits[kind.ordinal()];
            case TOMBSTONE, LOCAL_CANCELLED, LOCAL_FIRED -> tombstoneClassCount() < limits[EntryKind.TOMBSTONE.ordinal()];
            case FREE -> true;
        };
    }

    /** Allocates an entry for an id; -1 if its kind is at its bound. */
    public int insert(EntryKind kind, byte[] id, int offset, int length, int hash, long deadlineMs) {
        if (!hasRoom(kind) || freeTop == 0) {
            return -1;
        }
        int h = freeStack[--freeTop];
        index.insert(h, id, offset, length, hash);
        init(h, kind, deadlineMs);
        return h;
    }

    private void init(int h, EntryKind kind, long deadlineMs) {
        kinds[h] = (byte) kind.ordinal();
        counts[kind.ordinal()]++;
        owners[h] = 0;
        requestIds[h] = 0;
        cancellers[h] = 0;
        payloads[h] = null;
        wheel.schedule(h, deadlineMs);
    }

    /**
     * Changes an entry's kind and its next deadline. Moving into the tombstone class at its
     * bound is allowed (the entry already holds a slab slot); the bound applies to inserts.
     */
    public void transition(int h, EntryKind kind, long deadlineMs) {
        counts[kinds[h]]--;
        kinds[h] = (byte) kind.ordinal();
        counts[kind.ordinal()]++;
        wheel.schedule(h, deadlineMs);
    }

    public void remove(int h) {
        wheel.cancel(h);
        index.remove(h);
        counts[kinds[h]]--;
        kinds[h] = (byte) EntryKind.FREE.ordinal();
        payloads[h] = null;
        freeStack[freeTop++] = h;
    }

    public long owner(int h) {
        return owners[h];
    }

    public void owner(int h, long owner) {
        owners[h] = owner;
    }

    public long requestId(int h) {
        return requestIds[h];
    }

    public long canceller(int h) {
        return cancellers[h];
    }

    public void killedBy(int h, long requestId, long canceller) {
        requestIds[h] = requestId;
        cancellers[h] = canceller;
    }

    public byte[] payload(int h) {
        return payloads[h];
    }

    public void payload(int h, byte[] payload) {
        payloads[h] = payload;
    }

    public long deadline(int h) {
        return wheel.deadline(h);
    }

    public int poll(long nowMs, TimerWheel.ExpiryHandler handler, int limit) {
        return wheel.poll(nowMs, handler, limit);
    }
}
