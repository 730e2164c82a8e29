package io.wheelcast.engine.registry;

/**
 * Every id this node knows about, in one slab of parallel arrays addressed by int handles:
 * own timers, records of cancelled and fired ones, replicas of other nodes' timers and
 * tombstones of early kills. One {@link IdIndex} finds an entry by id, one {@link TimerWheel}
 * holds each entry's next deadline (fire time, grace end or record expiry). Each kind has its
 * own bound; inserting past it fails and the caller counts the drop.
 *
 * <p>A second wheel over the same handles drives retries of an entry's replication work: an
 * own timer's SCHEDULE until a live member holds a replica, an orphaned replica's hand-over to
 * its adopter, an adopter's re-announcements to an owner that came back.
 *
 * <p>Two spare words per entry mean different things per kind, to keep the slab small: for the
 * tombstone class and for killed replicas they are the kill's (request id, canceller); for
 * {@code LOCAL_ARMED} the first is the original deadline, for a {@code LOCAL_FIRED} timer whose listener
 * runs the delivery it waits for.
 *
 * <p>Internal API: confined to the event loop.
 */
public final class TimerRegistry {
    /** A REPLICA whose KILL this node saw (the owner answers it; an adopter must honour it). */
    public static final int MARK_KILLED = 1;
    /** A REPLICA this node acknowledged (REPLICATED): its owner counts on us and tells us reliably when it finishes. */
    public static final int MARK_HELD = 2;
    /** A held REPLICA whose timer fired on its owner: kept until its deadline to answer hand-overs. */
    public static final int MARK_DONE_FIRED = 4;
    /** A held REPLICA whose timer was cancelled on its owner: kept until its deadline to answer hand-overs. */
    public static final int MARK_DONE_CANCELLED = 8;
    public static final int MARK_DONE = MARK_DONE_FIRED | MARK_DONE_CANCELLED;
    /**
     * An own timer that nodes outside its designated holders in this node's current view may
     * hold (its SCHEDULE went to everyone, or a holder died or was displaced by a joiner): in
     * unicast mode its outcome goes to everyone, dead members included, not to the holders alone.
     */
    public static final int MARK_WIDE = 16;
    /**
     * An own timer armed before a stall long enough for the others to declare this node dead:
     * it may have been adopted meanwhile, so it waits out the quarantine. Timers armed after the
     * stall fire on time (the others cannot have adopted them, and they presume fired what they
     * hear its owner live past).
     */
    public static final int MARK_BEFORE_STALL = 32;
    /**
     * A LOCAL_FIRED timer whose expiry listener has not returned yet: its holders are not told
     * it fired (nor a canceller answered) until it has, so a crash meanwhile makes an adopter
     * fire it again instead of nobody.
     */
    public static final int MARK_LISTENING = 64;
    /**
     * An own timer that finished before its designated backup's acknowledgement arrived: the
     * backup may hold a copy all the same (its answer was lost), and it would adopt the timer, so
     * the outcome goes to the designated holders until the backup answers (defect 14 in
     * docs/operations.md).
     */
    public static final int MARK_BACKUP_UNCONFIRMED = 128;
    private final IdIndex index;
    private final TimerWheel wheel;
    private final TimerWheel retries;
    private final byte[] kinds;
    private final byte[] marks;
    private final byte[] attempts;
    private final long[] owners;
    private final long[] requestIds;
    private final long[] cancellers;
    private final long[] holders;
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
        this.retries = new TimerWheel(startMs, tickMs, Math.min(wheelSlots, 1024), capacity);
        this.kinds = new byte[capacity];
        this.marks = new byte[capacity];
        this.attempts = new byte[capacity];
        this.owners = new long[capacity];
        this.requestIds = new long[capacity];
        this.cancellers = new long[capacity];
        this.holders = new long[capacity];
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

    /**
     * Cache read-ahead for a batch of lookups (see {@link IdIndex#touch}); also loads the kind
     * of each entry found. Returns a value derived from the loads.
     */
    public long prefetch(int[] hashes, int n, int[] handles) {
        long sum = index.touch(hashes, n, handles);
        for (int k = 0; k < n; k++) {
            if (handles[k] >= 0) {
                sum += kinds[handles[k]];
            }
        }
        return sum;
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
        marks[h] = 0;
        attempts[h] = 0;
        requestIds[h] = 0;
        cancellers[h] = 0;
        holders[h] = 0;
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
        retries.cancel(h);
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

    /** LOCAL_ARMED: the deadline the timer was armed for (an adopter's wheel deadline may differ). */
    public long dueAt(int h) {
        return requestIds[h];
    }

    public void dueAt(int h, long dueAtMs) {
        requestIds[h] = dueAtMs;
    }

    /** LOCAL_FIRED with {@link #MARK_LISTENING}: which delivery of the listener it waits for. Shares the column of {@link #dueAt}. */
    public long listenerTicket(int h) {
        return requestIds[h];
    }

    public void listenerTicket(int h, long ticket) {
        requestIds[h] = ticket;
    }

    /**
     * Own timers (armed, fired, cancelled): the member that acknowledged holding a replica; 0
     * while none has, or once it acknowledged the outcome.
     */
    public long holder(int h) {
        return holders[h];
    }

    public void holder(int h, long member) {
        holders[h] = member;
    }

    /**
     * A REPLICA: the timer's deadline as the owner announced it. The wheel deadline of a replica
     * moves on while it is kept past its grace (owner silent, hand-overs due), so it cannot
     * stand for the timer's deadline. Shares the column of {@link #holder} (own timers only).
     */
    public long replicaDue(int h) {
        return holders[h];
    }

    public void replicaDue(int h, long dueMs) {
        holders[h] = dueMs;
    }

    /**
     * LOCAL_ARMED: which of the timer's designated holders acknowledged their copy, one bit per
     * rank (bit 0: the rendezvous winner) in this node's current view. Shares the column of the
     * canceller, which only finished entries have.
     */
    public long copies(int h) {
        return cancellers[h];
    }

    public void copies(int h, long ranks) {
        cancellers[h] = ranks;
    }

    /** Bit flags of an entry ({@code MARK_*}); cleared on insert. */
    public int marks(int h) {
        return marks[h];
    }

    public void marks(int h, int value) {
        marks[h] = (byte) value;
    }

    /** Retries made for the entry's current replication step. */
    public int attempts(int h) {
        return attempts[h];
    }

    public void attempts(int h, int value) {
        attempts[h] = (byte) Math.min(value, 127);
    }

    /** (Re)schedules the entry's next replication retry. */
    public void retryAt(int h, long atMs) {
        retries.schedule(h, atMs);
    }

    public long retryDeadline(int h) {
        return retries.deadline(h);
    }

    public boolean retryPending(int h) {
        return retries.isScheduled(h);
    }

    public void cancelRetry(int h) {
        retries.cancel(h);
    }

    public int pollRetries(long nowMs, TimerWheel.ExpiryHandler handler, int limit) {
        return retries.poll(nowMs, handler, limit);
    }

    /** One past the largest handle, for scans. */
    public int capacity() {
        return kinds.length;
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
