package io.wheelcast.engine.protocol;

import io.wheelcast.codec.HeaderFlyweight;
import io.wheelcast.codec.HeartbeatFlyweight;
import io.wheelcast.codec.KillAckFlyweight;
import io.wheelcast.codec.SettledFlyweight;
import io.wheelcast.engine.Counter;
import io.wheelcast.engine.MemberEvent;
import io.wheelcast.engine.config.NodeConfig;
import io.wheelcast.engine.counters.Counters;
import io.wheelcast.engine.membership.Membership;
import io.wheelcast.engine.registry.EntryKind;
import io.wheelcast.engine.registry.TimerRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

/**
 * What membership changes do to timers (see docs/operations.md, "Failover"). Handles HEARTBEAT
 * frames. When a member is declared dead or says goodbye, each of its timers is adopted by the
 * rendezvous winner among the live members, and the other holders hand their replicas to that
 * winner until it announces the adoption. A member that comes back (paused, not dead) learns
 * from the adopters what they did and yields. Loop-confined.
 */
final class Failover implements Membership.DeathListener {
    /**
     * DEBUG: one line per timer a takeover decides on (the nemesis run turns it on to explain a
     * lost or doubled job). A member's death is rare and off the per-message path.
     */
    private static final Logger LOG = LoggerFactory.getLogger(Failover.class);
    /** Covers the one-way latency and a timer firing up to a tick after its deadline. */
    private static final long PRESUMED_FIRED_MARGIN_MS = 100;
    /**
     * An adopted timer whose deadline already passed waits this long (plus two round trips)
     * before it fires: its announcement reaches the other survivors, and one that knows the
     * timer fired or was cancelled (its FIRED or KILL_ACK reached only some of them) answers
     * in time.
     */
    private static final long ADOPTION_SETTLE_MS = 100;

    private final NodeConfig config;
    private final long nodeId;
    private final Counters counters;
    private final TimerRegistry registry;
    private final Membership membership;
    private final EntryFrames frames;
    private final RetryTimeouts timeouts;
    private final Replication replication;
    private final UserHandoff handoff;
    private final LoopClock clock;

    Failover(NodeConfig config, long nodeId, Counters counters, TimerRegistry registry, Membership membership,
             EntryFrames frames, RetryTimeouts timeouts, Replication replication, UserHandoff handoff, LoopClock clock) {
        this.config = config;
        this.nodeId = nodeId;
        this.counters = counters;
        this.registry = registry;
        this.membership = membership;
        this.frames = frames;
        this.timeouts = timeouts;
        this.replication = replication;
        this.handoff = handoff;
        this.clock = clock;
    }

    // ---------------------------------------------------------------- membership

    void onHeartbeat(HeaderFlyweight header, HeartbeatFlyweight f) {
        counters.increment(Counter.FRAMES_IN_HEARTBEAT);
        long member = header.senderId();
        if (f.intervalMs() == 0) { // goodbye: take its timers over now, not after the failure timeout
            if (membership.left(member)) {
                counters.increment(Counter.MEMBERS_LEFT);
                handoff.memberEvent(MemberEvent.Type.LEFT, member);
                takeOver(member);
            }
            return;
        }
        boolean deferring = (f.frameFlags() & HeartbeatFlyweight.FLAG_DEFERRING) != 0;
        switch (membership.heard(member, clock.nowMs, f.intervalMs(), f.beat(), deferring)) {
            case JOINED -> {
                counters.increment(Counter.MEMBERS_JOINED);
                handoff.memberEvent(MemberEvent.Type.JOINED, member);
                replication.replicateParked();
                replication.transferTo(member);
            }
            case REVIVED -> memberRevived(member);
            case TABLE_FULL -> counters.increment(Counter.MEMBER_TABLE_FULL);
            default -> {
            }
        }
    }

    /** How far a member's expiries are settled: what it fired before then, it delivered and told its holders. */
    void onSettled(HeaderFlyweight header, SettledFlyweight f) {
        counters.increment(Counter.FRAMES_IN_SETTLED);
        membership.settled(header.senderId(), clock.arrivedNoEarlierThanMs(), f.unsettledForMs());
    }

    /** A member declared dead was heard again. */
    void memberRevived(long member) {
        counters.increment(Counter.MEMBERS_REVIVED);
        handoff.memberEvent(MemberEvent.Type.REVIVED, member);
        replication.replicateParked();
        // As for a joiner: it holds again what it now ranks for (a holder it displaced keeps a stale copy, so marked WIDE)
        replication.transferTo(member);
        tellRevived(member);
    }

    /** The failure detector declared {@code member} dead. */
    @Override
    public void onDead(long member) {
        counters.increment(Counter.MEMBERS_DEAD);
        handoff.memberEvent(MemberEvent.Type.DEAD, member);
        takeOver(member);
    }

    /**
     * A member is gone: our timers it held replicas of are re-replicated elsewhere, and its own
     * timers (replicas here) are adopted or handed to their adopter. One scan of the slab; a
     * member's death is rare.
     */
    private void takeOver(long gone) {
        if (!config.takeover()) {
            return;
        }
        boolean alone = membership.liveCount() == 0;
        for (int h = 0, n = registry.capacity(); h < n; h++) {
            EntryKind kind = registry.kind(h);
            if (kind == EntryKind.LOCAL_ARMED) {
                // It may only be paused, with our SCHEDULE in its socket: it must hear how the timer
                // ends. For a minute it is among the recently dead, to whom outcomes are re-announced.
                int rank = membership.rank(registry.ids().hash(h), gone, registry.owner(h), config.replicas());
                if (rank < config.replicas() || registry.holder(h) == gone) {
                    replication.holderLost(h, gone, rank, alone);
                }
            } else if (kind == EntryKind.REPLICA && registry.owner(h) == gone) {
                orphan(h, gone);
            } else if (kind == EntryKind.REPLICA && !membership.isAlive(registry.owner(h))) {
                // An owner dead before: `gone` may have been its adopter-to-be, which answered our
                // hand-over (so we stopped) but had not adopted yet. Decided again without it.
                orphan(h, registry.owner(h));
            }
        }
    }

    /**
     * A member we had declared dead is back: what we did with its timers meanwhile is re-sent
     * until it acknowledges (adopted and armed) or a few times (fired, cancelled), so it does
     * not fire them a second time.
     */
    private void tellRevived(long member) {
        if (!config.takeover()) {
            return;
        }
        for (int h = 0, n = registry.capacity(); h < n; h++) {
            if (registry.owner(h) != member) {
                continue;
            }
            switch (registry.kind(h)) {
                case LOCAL_ARMED -> {
                    registry.holder(h, 0);
                    registry.attempts(h, Replication.ACK_ANY_AFTER); // the returning owner must answer, designated backup or not
                    registry.retryAt(h, clock.nowMs);
                }
                case LOCAL_CANCELLED, LOCAL_FIRED -> {
                    // WIDE: re-sent to everyone, the returning owner included, not only to our holder (unicast)
                    registry.marks(h, registry.marks(h) | TimerRegistry.MARK_WIDE);
                    registry.attempts(h, 0);
                    registry.retryAt(h, clock.nowMs);
                }
                default -> {
                }
            }
        }
    }

    // ---------------------------------------------------------------- replicas of a dead owner

    /** A replica whose owner is dead: adopt it if we are its rendezvous winner, else hand it to the winner. */
    private void orphan(int h, long deadOwner) {
        if ((registry.marks(h) & TimerRegistry.MARK_DONE) != 0) {
            registry.cancelRetry(h); // it finished on its owner: nothing to take over
            trace(h, deadOwner, "already finished");
            return;
        }
        if ((registry.marks(h) & TimerRegistry.MARK_KILLED) == 0 && presumedFired(h, deadOwner)) {
            trace(h, deadOwner, "presumed fired");
            return; // handing it over would make it look just due to an adopter that never had it
        }
        long winner = membership.winner(registry.ids().hash(h), nodeId, deadOwner);
        if (winner == nodeId) {
            trace(h, deadOwner, "adopted");
            adopt(h, deadOwner);
            return;
        }
        if (LOG.isDebugEnabled()) {
            trace(h, deadOwner, "handed to " + Long.toHexString(winner));
        }
        if ((registry.marks(h) & TimerRegistry.MARK_KILLED) != 0) {
            frames.killOf(winner, h); // the kill first, so the adopter takes it over as cancelled
        }
        long due = registry.replicaDue(h);
        frames.schedule(winner, 0, h, due - clock.nowMs, deadOwner); // negative: overdue by that much
        counters.increment(Counter.ORPHANS_FORWARDED);
        registry.attempts(h, registry.attempts(h) + 1);
        registry.retryAt(h, clock.nowMs + timeouts.replicationRetryMs(registry.attempts(h)));
    }

    /** DEBUG: what a takeover did with replica {@code h}, with the evidence it went on. */
    private void trace(int h, long deadOwner, String decision) {
        if (!LOG.isDebugEnabled()) {
            return;
        }
        var ids = registry.ids();
        String id = new String(ids.arena(), ids.idOffset(h), ids.idLength(h), StandardCharsets.UTF_8);
        long due = registry.replicaDue(h);
        LOG.debug("takeover of {} from {}: {} (due in {} ms, owner last heard {} ms ago, marks {})", id,
                Long.toHexString(deadOwner), decision, due - clock.nowMs, clock.nowMs - membership.lastReceived(deadOwner),
                Integer.toBinaryString(registry.marks(h)));
    }

    /** A hand-over of a replica fell due again: re-sent while its owner is still dead. */
    void onReplicaRetryDue(int h) {
        long owner = registry.owner(h);
        if (!membership.isAlive(owner) && config.takeover()) {
            orphan(h, owner);
        }
    }

    /**
     * A survivor handed us a timer of an owner it believes dead. Every hand-over gets an answer,
     * so the survivor stops: our adoption announcement if we are the adopter and agree the owner
     * is dead; REPLICATED if we are the adopter-to-be but still hear the owner (we adopt when our
     * own detector agrees). Otherwise our own hand-over, on its retry, takes it on.
     */
    void onHandOver(int h, long sender, long owner) {
        if (!config.takeover()) {
            return;
        }
        boolean winner = membership.winner(registry.ids().hash(h), nodeId, owner) == nodeId;
        if (winner && membership.confirmDead(owner, clock.nowMs, config.failureTimeoutMs() - config.heartbeatIntervalMs(), this)) {
            // A survivor declared the owner dead and we have not heard it for most of a timeout
            // either: we agree now. Waiting out our own timeout (a loss burst we went through can
            // stretch it past 15 s) left the timer to the others' copies, which they drop once we
            // answer; a crash of ours meanwhile lost it (defect 13). takeOver adopted it.
            return;
        }
        if (!membership.isAlive(owner)) {
            if (winner) {
                adopt(h, owner);
            }
        } else if (winner) {
            registry.marks(h, registry.marks(h) | TimerRegistry.MARK_HELD);
            frames.replicated(sender, owner, h);
        }
    }

    /**
     * Takes over a dead owner's timer: armed here for its original deadline (at once, after a
     * short settle for in-flight kills, if that passed during detection) and announced, so the
     * other holders stop handing it over and kills reach us. A replica that saw a kill is adopted
     * as cancelled and the kill answered.
     */
    private void adopt(int h, long deadOwner) {
        long now = clock.nowMs;
        registry.cancelRetry(h);
        if ((registry.marks(h) & TimerRegistry.MARK_KILLED) != 0) {
            long requestId = registry.requestId(h);
            long canceller = registry.canceller(h);
            registry.transition(h, EntryKind.LOCAL_CANCELLED, now + config.recordTtlMs());
            registry.owner(h, deadOwner);
            registry.payload(h, null);
            registry.killedBy(h, requestId, canceller);
            counters.increment(Counter.TIMERS_ADOPTED_CANCELLED);
            frames.killAck(FrameOutbox.EVERYONE, requestId, canceller, KillAckFlyweight.OUTCOME_CANCELLED, h);
            return;
        }
        if (presumedFired(h, deadOwner)) {
            return;
        }
        long due = registry.replicaDue(h);
        if (!registry.hasRoom(EntryKind.LOCAL_ARMED)) {
            counters.increment(Counter.ADOPTIONS_DROPPED_FULL);
            return;
        }
        registry.transition(h, EntryKind.LOCAL_ARMED, Math.max(due, now + ADOPTION_SETTLE_MS + 2 * timeouts.killRetransmitMs()));
        registry.owner(h, deadOwner);
        registry.dueAt(h, due);
        registry.holder(h, 0);
        registry.copies(h, 0);
        registry.marks(h, 0);
        counters.increment(Counter.TIMERS_ADOPTED);
        announceAdoption(h);
    }

    /**
     * Its owner said (SETTLED, with a heartbeat) that every timer of its due well before then had
     * fired and its listener returned: only its FIRED went missing here. The replica is marked
     * fired, neither adopted nor handed over. Silence after the deadline, or datagrams without
     * that word, prove nothing: the owner tells its holders only once the listener returned, and a
     * crash before then must leave the timer to an adopter (defect 10, docs/operations.md).
     */
    private boolean presumedFired(int h, long deadOwner) {
        long due = registry.replicaDue(h);
        if (due + PRESUMED_FIRED_MARGIN_MS >= membership.settledThrough(deadOwner)) {
            return false;
        }
        registry.marks(h, registry.marks(h) | TimerRegistry.MARK_DONE_FIRED);
        registry.payload(h, null);
        registry.cancelRetry(h);
        counters.increment(Counter.TAKEOVERS_PRESUMED_FIRED);
        return true;
    }

    /** Multicasts an adopted timer's SCHEDULE (owner: this node) and re-sends it until a replica is acknowledged. */
    private void announceAdoption(int h) {
        long delayMs = Math.max(0, registry.dueAt(h) - clock.nowMs);
        if (frames.targeted()) {
            frames.scheduleToHolders(replication.scheduleFlags(h), h, delayMs, 0); // its holders and its owner (unicast)
        } else {
            frames.schedule(FrameOutbox.EVERYONE, replication.scheduleFlags(h), h, delayMs, nodeId);
        }
        replication.armRetry(h);
    }

    /** A SCHEDULE names an id armed here: someone adopted our timer, adopted it too, or its owner came back. */
    void onScheduleOfArmed(int h, long sender, long owner, boolean adoption, int hash) {
        long adoptedFrom = registry.owner(h) == nodeId ? 0 : registry.owner(h);
        if (adoption && owner == sender && owner != nodeId) {
            boolean wasDeclaredDead = adoptedFrom == 0;
            if (wasDeclaredDead || adoptedFrom == sender
                    || Long.compareUnsigned(Membership.score(sender, hash), Membership.score(nodeId, hash)) > 0) {
                yieldTo(h, sender);
                registry.marks(h, TimerRegistry.MARK_HELD); // we answer: the adopter tells us how it ends
                frames.replicated(sender, sender, h); // the adopter waits for this before it stops telling us
                return;
            }
            announceAdoption(h); // two adopters (their views differed): the higher rendezvous score keeps it
            return;
        }
        if (adoptedFrom != 0 && owner == adoptedFrom) {
            announceAdoption(h); // the owner we adopted from is back and re-sent its SCHEDULE: it must yield
            return;
        }
        counters.increment(Counter.SCHEDULE_ID_CONFLICT);
    }

    /** Another node owns the timer now: keep a replica of it, fire nothing. */
    private void yieldTo(int h, long newOwner) {
        long due = registry.dueAt(h);
        byte[] payload = registry.payload(h);
        registry.cancelRetry(h);
        registry.transition(h, EntryKind.REPLICA, due + config.replicaGraceMs());
        registry.replicaDue(h, due);
        registry.owner(h, newOwner);
        registry.payload(h, payload);
        registry.killedBy(h, 0, 0);
        registry.marks(h, 0);
        counters.increment(Counter.TIMERS_YIELDED);
    }

    /**
     * A replica's deadline plus grace passed and no FIRED came. If its owner said it settled its
     * expiries past the deadline, it fired and the FIRED was lost: drop the replica. If its owner is dead, hand the
     * timer over. If the owner has been silent since the deadline, it may be dying: keep the
     * replica until the detector decides (the grace is shorter than a lossy link's timeout).
     *
     * <p>A finished replica (we saw how the timer ended) is kept as long as another holder may
     * still hand over a copy that missed the outcome: while its owner is silent since the
     * deadline, and for a while after its death. Dropped at the grace, the record let a holder's
     * stale hand-over reach this node as a new timer, which it adopted and fired although it had
     * been cancelled (FailoverTest, 10% loss: the cancel's answer to the other holder was lost).
     */
    void replicaGraceOver(int h, long now) {
        long owner = registry.owner(h);
        long due = registry.replicaDue(h);
        if ((registry.marks(h) & TimerRegistry.MARK_DONE) != 0) {
            // Another holder that missed the outcome keeps its copy while the owner has not settled
            // past the deadline in its view, and hands it over when it declares the owner dead: we
            // answer until the owner has settled a failure timeout past it (an owner heard just
            // after the deadline may have died then: defect 16 in docs/operations.md).
            boolean handOversMayCome = config.takeover() && (membership.diedWithin(owner, now, Replication.RECENTLY_DEAD_MS)
                    || (membership.isAlive(owner) && membership.settledThrough(owner) <= due + membership.timeoutMs(owner)));
            if (handOversMayCome) {
                registry.wheel().schedule(h, now + config.heartbeatIntervalMs());
            } else {
                registry.remove(h);
            }
            return;
        }
        if (config.takeover() && membership.isDead(owner)) {
            if (registry.attempts(h) > 0 && !registry.retryPending(h)) {
                // handed over and answered: the adopter has it; re-sending a stale copy now could revive a finished timer
                counters.increment(Counter.REPLICAS_EXPIRED);
                registry.remove(h);
                return;
            }
            registry.wheel().schedule(h, now + config.replicaGraceMs());
            if (!registry.retryPending(h)) {
                orphan(h, owner);
            }
            return;
        }
        if (config.takeover() && membership.isAlive(owner) && membership.settledThrough(owner) <= due) {
            registry.wheel().schedule(h, now + config.heartbeatIntervalMs());
            return;
        }
        counters.increment(Counter.REPLICAS_EXPIRED);
        registry.remove(h);
    }
}
