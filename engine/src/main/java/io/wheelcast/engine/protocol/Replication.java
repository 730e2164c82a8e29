package io.wheelcast.engine.protocol;

import io.wheelcast.codec.HeaderFlyweight;
import io.wheelcast.codec.IdBytes;
import io.wheelcast.codec.ReplicatedFlyweight;
import io.wheelcast.codec.ScheduleFlyweight;
import io.wheelcast.engine.Counter;
import io.wheelcast.engine.Latency;
import io.wheelcast.engine.ScheduleOutcome;
import io.wheelcast.engine.ScheduleRejectedException;
import io.wheelcast.engine.config.NodeConfig;
import io.wheelcast.engine.counters.Counters;
import io.wheelcast.engine.counters.LatencyRecorders;
import io.wheelcast.engine.membership.Membership;
import io.wheelcast.engine.registry.EntryKind;
import io.wheelcast.engine.registry.TimerRegistry;
import org.jctools.queues.MessagePassingQueue;

import java.util.concurrent.CompletableFuture;

/**
 * This node's own timers, from arming to their end: each one's SCHEDULE is re-sent until each
 * of its k designated holders acknowledges its copy (the REPLICATED frame, handled here), so the
 * timer survives its owner and any k - 1 of them; when it fires or is cancelled, its holder (the
 * rendezvous winner, which would adopt it) is told until it confirms, so a later takeover never
 * revives it. Adopted timers are own timers too. Loop-confined.
 *
 * <p>Per own timer the registry keeps: the holder (0 while none), the ranks of the holders that
 * acknowledged ({@link TimerRegistry#copies}), the attempts and the retry deadline of whichever
 * re-send is running (replication, or the finished notice).
 */
final class Replication {
    /** First sends ask for the designated backup's answer; after this many, anybody may answer, in case views differ. */
    static final int ACK_ANY_AFTER = 4;
    /** Sends of an adopted timer's SCHEDULE after which it fires although a designated holder never answered. */
    static final int ADOPTION_ASKS = 6;
    /** Re-sends of a finished adopted timer's outcome to its returning owner: 50, 100, 200, 400 ms apart. */
    private static final int REANNOUNCEMENTS = 5;
    private static final long REANNOUNCEMENT_FIRST_MS = 50;
    /** Re-sends of an own timer's outcome until its replica holder confirms (about 3 s at the 200 ms cap). */
    private static final int HOLDER_NOTICES = 16;
    /**
     * How long after a member was last heard its death makes outcomes re-announced: it covers
     * pauses of a minute (a crashed member never says goodbye, and re-announcing every outcome
     * for as long as its entry stays would multiply the outcome traffic for good).
     */
    static final long RECENTLY_DEAD_MS = 60_000;

    private final NodeConfig config;
    private final long nodeId;
    private final Counters counters;
    private final TimerRegistry registry;
    private final Membership membership;
    private final EntryFrames frames;
    private final RetryTimeouts timeouts;
    private final UserHandoff handoff;
    private final LatencyRecorders latencies;
    private final LoopClock clock;
    private final ReceivedId receivedId;
    /** Scratch of {@link #reannounce}: the acknowledged holder, then the members declared dead lately. */
    private final long[] reannounceTo = new long[64];
    /** Some own timer has no acknowledged replica and waits for a member to join (no other member was alive). */
    private boolean parked;
    private final ListenerReturns returns;
    private final MessagePassingQueue.Consumer<ListenerReturns.Delivery> settleOne = this::settleDelivery;

    Replication(NodeConfig config, long nodeId, Counters counters, TimerRegistry registry, Membership membership,
                EntryFrames frames, RetryTimeouts timeouts, UserHandoff handoff, LatencyRecorders latencies,
                ReceivedId receivedId, LoopClock clock) {
        this.config = config;
        this.nodeId = nodeId;
        this.counters = counters;
        this.registry = registry;
        this.membership = membership;
        this.frames = frames;
        this.timeouts = timeouts;
        this.handoff = handoff;
        this.latencies = latencies;
        this.clock = clock;
        this.receivedId = receivedId;
        this.returns = new ListenerReturns(counters);
    }

    /**
     * Arms an own timer: {@code h} is the id's entry (a finished timer's record, whose id is
     * reused) or -1. Announces it and starts its replication.
     */
    void arm(byte[] id, int hash, int h, long delayMs, byte[] payload, CompletableFuture<ScheduleOutcome> result) {
        long now = clock.nowMs;
        if (h >= 0) {
            EntryKind kind = registry.kind(h);
            // A finished copy (we saw the timer end) does not hold the id: it may be armed again,
            // as after a LOCAL_FIRED record. Only a live timer, here or at its owner, does.
            if (kind == EntryKind.LOCAL_ARMED || (kind == EntryKind.REPLICA && (registry.marks(h) & TimerRegistry.MARK_DONE) == 0)) {
                counters.increment(Counter.SCHEDULES_REJECTED);
                String where = kind == EntryKind.LOCAL_ARMED ? "armed on this node"
                        : "owned by node " + Long.toHexString(registry.owner(h));
                handoff.fail(result, new ScheduleRejectedException(ScheduleRejectedException.Reason.DUPLICATE_ID,
                        "timer id is already " + where));
                return;
            }
            if (!registry.hasRoom(EntryKind.LOCAL_ARMED)) {
                timerLimit(result);
                return;
            }
            registry.transition(h, EntryKind.LOCAL_ARMED, now + delayMs); // reuse of a finished timer's id
        } else {
            h = registry.insert(EntryKind.LOCAL_ARMED, id, 0, id.length, hash, now + delayMs);
            if (h < 0) {
                timerLimit(result);
                return;
            }
        }
        registry.owner(h, nodeId);
        registry.payload(h, payload);
        registry.dueAt(h, now + delayMs);
        registry.holder(h, 0);
        registry.copies(h, 0);
        registry.attempts(h, 0);
        counters.increment(Counter.TIMERS_ARMED);
        registry.marks(h, frames.newSchedule(hash, delayMs, id, payload) ? TimerRegistry.MARK_WIDE : 0);
        armRetry(h);
        handoff.complete(result, ScheduleOutcome.ARMED);
    }

    private void timerLimit(CompletableFuture<ScheduleOutcome> result) {
        counters.increment(Counter.TIMER_LIMIT_HITS);
        handoff.fail(result, new ScheduleRejectedException(ScheduleRejectedException.Reason.TIMER_LIMIT,
                "maxTimers (" + config.maxTimers() + ") timers are armed on this node"));
    }

    /** Starts the re-send loop of an own timer's SCHEDULE, or parks it while no other member is alive. */
    void armRetry(int h) {
        if (!config.takeover() || replicated(h)) {
            return;
        }
        if (membership.liveCount() == 0) {
            parked = true;
            return;
        }
        registry.retryAt(h, clock.nowMs + timeouts.replicationRetryMs(registry.attempts(h)));
    }

    /**
     * The designated backup (the member that would adopt the timer) answers first sends; after
     * {@link #ACK_ANY_AFTER} unanswered ones anybody may, in case views differ. Keeping the
     * holder equal to the future adopter matters: the holder is the one told reliably when the
     * timer fires or is cancelled, so the adopter never revives a finished timer.
     */
    int scheduleFlags(int h) {
        return (registry.attempts(h) >= ACK_ANY_AFTER ? ScheduleFlyweight.FLAG_ACK_ANY : 0)
                | (registry.owner(h) != nodeId ? ScheduleFlyweight.FLAG_ADOPTED : 0);
    }

    /** REPLICATED: a holder confirms a replica of an own timer, or an adopter-to-be took our hand-over. */
    void onReplicated(HeaderFlyweight header, ReplicatedFlyweight f) {
        counters.increment(Counter.FRAMES_IN_REPLICATED);
        int idLen = f.idLength();
        byte[] id = receivedId.copy(f.buffer(), f.idIndex(), idLen);
        int h = registry.find(id, 0, idLen, IdBytes.hash(id, 0, idLen));
        if (h < 0) {
            return;
        }
        if (f.ownerId() != nodeId) {
            if (registry.kind(h) == EntryKind.REPLICA && registry.owner(h) == f.ownerId()) {
                registry.cancelRetry(h); // our hand-over reached the adopter-to-be
            }
            return;
        }
        long holder = header.senderId();
        EntryKind kind = registry.kind(h);
        if (kind == EntryKind.LOCAL_FIRED || kind == EntryKind.LOCAL_CANCELLED) {
            int marks = registry.marks(h);
            if ((marks & TimerRegistry.MARK_BACKUP_UNCONFIRMED) != 0 && holder == membership.backup(registry.ids().hash(h), nodeId)) {
                // The backup holds a copy (an answer to the SCHEDULE or to the outcome): tell it until it confirms.
                registry.marks(h, marks & ~TimerRegistry.MARK_BACKUP_UNCONFIRMED);
                registry.holder(h, holder);
                frames.outcomeTo(holder, h);
                registry.attempts(h, 0);
                registry.retryAt(h, clock.nowMs + timeouts.noticeRetryMs(0));
            } else if (registry.holder(h) == holder) {
                registry.holder(h, 0); // the holder knows the timer finished: it will not adopt it
                if (!wide(h)) {
                    registry.cancelRetry(h); // a WIDE timer's outcome is still re-announced to everyone
                }
            } else if (registry.holder(h) == 0 && registry.attempts(h) == 0 && !registry.retryPending(h)) {
                // A replica acknowledged only after the timer finished: its holder must learn how it ended.
                registry.holder(h, holder);
                frames.outcomeTo(holder, h);
                registry.retryAt(h, clock.nowMs + timeouts.noticeRetryMs(0));
            }
            return;
        }
        if (kind != EntryKind.LOCAL_ARMED) {
            return;
        }
        long adoptedFrom = registry.owner(h);
        if (membership.isAlive(holder) && holder != adoptedFrom) { // a returning owner's answer is no copy: it yields
            int rank = membership.rank(registry.ids().hash(h), holder, adoptedFrom, config.replicas());
            if (rank < config.replicas()) {
                registry.copies(h, registry.copies(h) | 1L << rank);
            }
        }
        if (registry.holder(h) == 0 && acceptsAsHolder(h, holder, adoptedFrom)) {
            if (registry.attempts(h) == 0 && registry.retryPending(h)) { // Karn: first sends only
                long sentAt = registry.retryDeadline(h) - timeouts.replicationRetryMs(0);
                long delayMs = Math.max(0, clock.nowMs - sentAt);
                timeouts.replicationRoundTrip(delayMs);
                latencies.record(Latency.REPLICATION_DELAY, delayMs * 1_000);
            }
            registry.holder(h, holder);
        }
        if (replicated(h)) {
            registry.attempts(h, 0);
            registry.cancelRetry(h);
        }
    }

    /**
     * Whether an acknowledging member becomes the holder told reliably how the timer ends: the
     * designated backup (the member that would adopt it), or, after {@link #ACK_ANY_AFTER}
     * unanswered sends, anybody (views may differ); for an adopted timer whose owner is back,
     * only that owner (its answer proves it yielded).
     */
    private boolean acceptsAsHolder(int h, long member, long adoptedFrom) {
        if (adoptedFrom != nodeId && membership.isAlive(adoptedFrom)) {
            return member == adoptedFrom;
        }
        return registry.attempts(h) >= ACK_ANY_AFTER || member == membership.backup(registry.ids().hash(h), nodeId);
    }

    /**
     * Whether an own timer is replicated enough to stop re-sending its SCHEDULE: its holder
     * answered and so did each of its designated holders (k, or every other live member while
     * fewer live), or, for an adopted timer whose owner is back, that owner answered.
     */
    boolean replicated(int h) {
        if (registry.holder(h) == 0) {
            return false;
        }
        long owner = registry.owner(h);
        if (owner != nodeId && membership.isAlive(owner)) {
            return true;
        }
        long all = topRanks(Math.min(config.replicas(), membership.liveCount()));
        return (registry.copies(h) & all) == all;
    }

    /** A member joined or came back: own timers that nobody holds yet are replicated now. */
    void replicateParked() {
        if (!parked || !config.takeover()) {
            return;
        }
        parked = false;
        for (int h = 0, n = registry.capacity(); h < n; h++) {
            if (registry.kind(h) == EntryKind.LOCAL_ARMED && !replicated(h)) {
                registry.attempts(h, 1);
                registry.retryAt(h, clock.nowMs);
            }
        }
    }

    /**
     * A member joined: own timers it is now a designated holder of are sent to it, so that it
     * holds them before it has to adopt them (otherwise it would depend on the old holders'
     * hand-over, and lose the timers if they died with the owner). One scan of the slab per join,
     * none while nothing is armed (a cluster starting up: N joins at every node).
     */
    void transferTo(long joiner) {
        if (!config.takeover() || registry.count(EntryKind.LOCAL_ARMED) == 0) {
            return;
        }
        for (int h = 0, n = registry.capacity(); h < n; h++) {
            if (registry.kind(h) != EntryKind.LOCAL_ARMED || registry.owner(h) == joiner) {
                continue; // an adopted timer's returning owner is told by Failover.tellRevived
            }
            int rank = membership.rank(registry.ids().hash(h), joiner, registry.owner(h), config.replicas());
            if (rank == config.replicas()) {
                continue;
            }
            // the joiner displaced a holder, which keeps its copy until it hears how the timer ended
            registry.marks(h, registry.marks(h) | TimerRegistry.MARK_WIDE);
            registry.copies(h, rankInserted(registry.copies(h), rank, config.replicas()));
            counters.increment(Counter.REPLICAS_TRANSFERRED);
            frames.schedule(joiner, registry.owner(h) != nodeId ? ScheduleFlyweight.FLAG_ADOPTED : 0, h,
                    Math.max(0, registry.dueAt(h) - clock.nowMs), nodeId);
            if (!registry.retryPending(h)) { // re-sent until the joiner acknowledges
                registry.attempts(h, 0);
                registry.retryAt(h, clock.nowMs + timeouts.replicationRetryMs(0));
            }
        }
    }

    /**
     * One of own timer {@code h}'s designated holders, at {@code rank}, or its holder, died: the
     * members below it move up a rank and a new one enters last, so the timer is replicated to it
     * (and to a new holder, if the dead one was that), or parked when nobody else is alive.
     */
    void holderLost(int h, long gone, int rank, boolean alone) {
        if (registry.holder(h) == gone) {
            registry.holder(h, 0);
        }
        if (rank < config.replicas()) {
            registry.copies(h, rankRemoved(registry.copies(h), rank, config.replicas()));
        }
        if (alone) {
            parked = true;
        } else if (!replicated(h)) {
            registry.attempts(h, 0);
            registry.retryAt(h, clock.nowMs);
        }
    }

    /**
     * The acknowledged ranks after a member entered at {@code rank} (below {@code k}): those at
     * and below it move down one, and the one pushed out of the top k no longer counts (should a
     * holder die later, it moves back up and is asked again).
     */
    static long rankInserted(long ranks, int rank, int k) {
        long above = ranks & ((1L << rank) - 1);
        return (above | (ranks & ~((1L << rank) - 1)) << 1) & topRanks(k);
    }

    /** The acknowledged ranks after the member at {@code rank} (below {@code k}) left: those below it move up one. */
    static long rankRemoved(long ranks, int rank, int k) {
        long above = ranks & ((1L << rank) - 1);
        return (above | (ranks >>> 1 & ~((1L << rank) - 1))) & topRanks(k);
    }

    /** The bits of ranks 0 to k - 1. */
    static long topRanks(int k) {
        return k >= Long.SIZE ? -1L : (1L << k) - 1;
    }

    /**
     * An adopted timer fell due before each of its designated holders answered the adoption. One
     * of them may know that it finished: its owner's outcome can reach one holder and miss the
     * other (here, the adopter), and that holder's one answer can be lost too (30% loss: a
     * cancelled timer fired, FailoverTest seed ca0001). It fires after the next re-send's
     * answers instead, {@link #ADOPTION_ASKS} sends at most; returns whether it was deferred.
     */
    boolean deferAdoptedUntilHoldersAnswer(int h, long now) {
        if (registry.owner(h) == nodeId || !registry.retryPending(h) || registry.attempts(h) >= ADOPTION_ASKS || replicated(h)) {
            return false;
        }
        registry.wheel().schedule(h, Math.max(now, registry.retryDeadline(h)) + 2 * timeouts.killRetransmitMs());
        counters.increment(Counter.ADOPTIONS_DEFERRED);
        return true;
    }

    /** A re-send of an own (or adopted) timer fell due; what it means depends on what the entry is now. */
    void onRetryDue(int h, long now) {
        switch (registry.kind(h)) {
            case LOCAL_ARMED -> {
                if (replicated(h)) {
                    return;
                }
                if (membership.liveCount() == 0) {
                    parked = true;
                    return;
                }
                counters.increment(Counter.SCHEDULE_RETRANSMITS);
                registry.attempts(h, registry.attempts(h) + 1);
                int flags = scheduleFlags(h);
                long delayMs = Math.max(0, registry.dueAt(h) - now);
                if (registry.holder(h) == 0 && (flags & ScheduleFlyweight.FLAG_ACK_ANY) != 0) {
                    frames.scheduleToEveryone(flags, h, delayMs); // nobody answers as holder: anybody may, views may differ
                } else {
                    frames.scheduleToHolders(flags, h, delayMs, registry.copies(h)); // those that have not answered
                }
                registry.retryAt(h, now + timeouts.replicationRetryMs(registry.attempts(h)));
            }
            case LOCAL_CANCELLED, LOCAL_FIRED -> {
                long holder = registry.holder(h);
                if ((registry.marks(h) & TimerRegistry.MARK_BACKUP_UNCONFIRMED) != 0) {
                    backupUnconfirmedRetry(h, now);
                    return;
                }
                // no holder: a returning owner, and whoever else; a WIDE timer: whoever else may hold a copy, a few times
                boolean everyone = holder == 0 || (wide(h) && registry.attempts(h) < REANNOUNCEMENTS);
                if (everyone) {
                    reannounce(h, holder);
                } else {
                    frames.outcomeTo(holder, h);
                }
                int attempts = registry.attempts(h) + 1;
                registry.attempts(h, attempts);
                if (holder != 0 && membership.isAlive(holder) && attempts < HOLDER_NOTICES) {
                    registry.retryAt(h, now + timeouts.noticeRetryMs(attempts));
                } else if (holder == 0 && attempts < REANNOUNCEMENTS) {
                    registry.retryAt(h, now + (REANNOUNCEMENT_FIRST_MS << attempts));
                }
            }
            default -> {
            }
        }
    }

    /**
     * An own timer finished: its replica holder must learn it, or a takeover would revive it.
     * An adopted timer whose owner came back but has not answered our announcement yet is in
     * that owner's quarantine, still armed there: the outcome is re-sent a few times, since one
     * lost FIRED would let the owner fire it a second time when its quarantine ends.
     */
    void noticeHolder(int h) {
        registry.cancelRetry(h);
        if (registry.holder(h) != 0) {
            registry.attempts(h, 0);
            registry.retryAt(h, clock.nowMs + timeouts.noticeRetryMs(0));
        } else if (config.takeover() && registry.owner(h) == nodeId && membership.liveCount() > 0) {
            // replicated, maybe, but its backup's answer is missing: the outcome goes to the holders until it answers
            registry.marks(h, registry.marks(h) | TimerRegistry.MARK_BACKUP_UNCONFIRMED);
            registry.attempts(h, 0);
            registry.retryAt(h, clock.nowMs + timeouts.noticeRetryMs(0));
        } else if ((registry.owner(h) != nodeId && membership.isAlive(registry.owner(h))) || wide(h)) {
            registry.attempts(h, 0);
            registry.retryAt(h, clock.nowMs + REANNOUNCEMENT_FIRST_MS);
        }
    }

    /**
     * An own timer finished with its backup's acknowledgement missing: its outcome goes to its
     * designated holders (and, like any outcome, to whoever else may hold a copy) until the backup
     * answers, {@link #HOLDER_NOTICES} times at most (a backup that never got the SCHEDULE has
     * no copy and stays silent).
     */
    private void backupUnconfirmedRetry(int h, long now) {
        int attempts = registry.attempts(h) + 1;
        registry.attempts(h, attempts);
        frames.outcomeToHolders(h);
        if (attempts <= REANNOUNCEMENTS && wide(h)) {
            reannounce(h, 0);
        }
        if (attempts < HOLDER_NOTICES) {
            registry.retryAt(h, now + timeouts.noticeRetryMs(attempts));
        } else {
            registry.marks(h, registry.marks(h) & ~TimerRegistry.MARK_BACKUP_UNCONFIRMED);
            counters.increment(Counter.OUTCOMES_UNCONFIRMED);
        }
    }

    /**
     * An outcome re-announced to whoever may hold a stale copy: everyone where a copy may sit
     * anywhere (multicast mode, where everyone is one datagram; a timer re-sent to everyone, see
     * {@link TimerRegistry#MARK_WIDE}). Otherwise, in unicast mode, its holder until it confirms
     * (an adopted timer: the holders for its dead owner, and the owner), and the members declared
     * dead lately, which may be paused holders that read their copy late (its designated holders
     * had the outcome already). To everyone, each of N
     * nodes would send every outcome to N - 1 members five times for a minute after any death
     * (docs/scale.md: 32x the steady FIRED traffic at 24 nodes).
     */
    private void reannounce(int h, long holder) {
        if (!frames.targeted() || (registry.marks(h) & TimerRegistry.MARK_WIDE) != 0) {
            frames.outcomeTo(FrameOutbox.EVERYONE, h);
            return;
        }
        if (registry.owner(h) != nodeId) {
            frames.outcomeToHolders(h); // an adopted timer: the holders for its dead owner, and that owner
        }
        reannounceTo[0] = holder;
        int n = 1 + membership.recentlyDead(clock.nowMs, RECENTLY_DEAD_MS, reannounceTo, 1);
        if (n == reannounceTo.length) {
            frames.outcomeTo(FrameOutbox.EVERYONE, h); // dozens of members died lately: everyone is as cheap
            return;
        }
        frames.outcomeToEach(h, reannounceTo, n);
    }

    /**
     * Copies of this own timer may sit outside its holders (unicast mode, {@link TimerRegistry#MARK_WIDE}),
     * or a member declared dead may be only paused and read its copy late: one lost outcome
     * datagram would leave a stale copy, so the outcome is re-announced a few times (50, 100,
     * 200, 400 ms apart), as to a returning owner. A dead member matters only where it was one
     * of the timer's holders (ranked up to one place lower, for a joiner that displaced it
     * since), or its owner: every finished timer re-announced after any death made each death
     * cost every node five outcomes per timer that finished in the next minute (docs/scale.md).
     */
    private boolean wide(int h) {
        if ((registry.marks(h) & TimerRegistry.MARK_WIDE) != 0 && frames.targeted()) {
            return true;
        }
        long owner = registry.owner(h);
        return owner != nodeId ? membership.anyRecentlyDead(clock.nowMs, RECENTLY_DEAD_MS)
                : membership.anyRecentlyDeadHolder(registry.ids().hash(h), owner, config.replicas() + 1, clock.nowMs, RECENTLY_DEAD_MS);
    }

    /**
     * An own timer's deadline: it fires here and the listener runs off the loop; its holders
     * are told once the listener returned ({@link #settle}), so that a crash before then makes
     * an adopter fire it again instead of nobody.
     */
    void fire(int h, long now) {
        long deadline = registry.dueAt(h);
        long adoptedFrom = registry.owner(h) == nodeId ? 0 : registry.owner(h);
        byte[] payload = registry.payload(h);
        registry.transition(h, EntryKind.LOCAL_FIRED, now + config.recordTtlMs());
        registry.payload(h, null);
        counters.increment(Counter.TIMERS_FIRED);
        if (adoptedFrom != 0) {
            latencies.record(Latency.ADOPTION_LATENESS, Math.max(0, now - deadline) * 1_000);
        }
        ListenerReturns.Delivery d = handoff.expired(registry.ids(), h, payload, deadline, now, adoptedFrom, returns);
        if (d == null) {
            settle(h); // nobody listens: delivered as far as this node can tell
            return;
        }
        registry.cancelRetry(h); // no SCHEDULE re-sends, no outcome either, until the listener returns
        registry.marks(h, registry.marks(h) | TimerRegistry.MARK_LISTENING);
        registry.listenerTicket(h, d.ticket);
        returns.drain(settleOne); // an executor on this thread ran it already
    }

    /** A fired timer is delivered: its holder and the group are told. */
    private void settle(int h) {
        noticeHolder(h);
        if (registry.owner(h) != nodeId && frames.targeted()) {
            // An adopted timer: its dead owner may have sent its SCHEDULE to everyone, so a copy may
            // sit anywhere. Once to everyone; the re-announcements go to its holders and owner.
            frames.outcomeTo(FrameOutbox.EVERYONE, h);
        } else {
            frames.outcomeToHolders(h);
        }
    }

    /** A listener returned (or ran past the listener timeout): its timer is settled, unless its id lived on since. */
    private void settleDelivery(ListenerReturns.Delivery d) {
        int h = d.handle;
        int marks = registry.marks(h);
        if (registry.kind(h) == EntryKind.LOCAL_FIRED && (marks & TimerRegistry.MARK_LISTENING) != 0
                && registry.listenerTicket(h) == d.ticket) {
            registry.marks(h, marks & ~TimerRegistry.MARK_LISTENING);
            settle(h);
        }
    }

    /** Every tick: what the listeners returned is settled, and what ran past the listener timeout. */
    void settleReturned(long now) {
        returns.drain(settleOne);
        if (returns.outstanding() > 0) {
            returns.expireOverdue(now, config.listenerTimeoutMs(), settleOne);
        }
    }

    /** Graceful close: every expiry still with its listener counts as delivered (the JVM runs on). */
    void settleAll() {
        returns.drain(settleOne);
        returns.settleAll(settleOne);
    }

    /** The earliest deadline among fired timers whose listener has not returned; {@link Long#MAX_VALUE} if none. */
    long oldestUnsettledDeadline() {
        return returns.oldestDeadline();
    }

    int unsettledExpiries() {
        return returns.outstanding();
    }

    /**
     * Graceful leave: own timers nobody acknowledged yet are sent once more, for anyone to hold
     * (the others adopt them on our goodbye).
     */
    void offerUnheld() {
        if (!config.takeover() || membership.liveCount() == 0) {
            return;
        }
        for (int h = 0, n = registry.capacity(); h < n; h++) {
            if (registry.kind(h) == EntryKind.LOCAL_ARMED && registry.holder(h) == 0) {
                boolean adopted = registry.owner(h) != nodeId;
                registry.marks(h, registry.marks(h) | TimerRegistry.MARK_WIDE);
                frames.schedule(FrameOutbox.EVERYONE, ScheduleFlyweight.FLAG_ACK_ANY | (adopted ? ScheduleFlyweight.FLAG_ADOPTED : 0),
                        h, Math.max(0, registry.dueAt(h) - clock.nowMs), nodeId);
            }
        }
    }

    /**
     * Own timers still short of acknowledged copies: no holder yet, or fewer than k of its
     * designated holders (a crash of this node and the others' holders would lose them).
     */
    int countUnreplicated() {
        int n = 0;
        for (int h = 0, cap = registry.capacity(); h < cap; h++) {
            if (registry.kind(h) == EntryKind.LOCAL_ARMED && !replicated(h)) {
                n++;
            }
        }
        return n;
    }
}
