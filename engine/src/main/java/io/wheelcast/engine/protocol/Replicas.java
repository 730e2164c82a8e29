package io.wheelcast.engine.protocol;

import io.netty.buffer.ByteBuf;
import io.wheelcast.codec.FiredFlyweight;
import io.wheelcast.codec.HeaderFlyweight;
import io.wheelcast.codec.IdBytes;
import io.wheelcast.codec.ScheduleFlyweight;
import io.wheelcast.engine.Counter;
import io.wheelcast.engine.config.NodeConfig;
import io.wheelcast.engine.counters.Counters;
import io.wheelcast.engine.membership.Membership;
import io.wheelcast.engine.registry.EntryKind;
import io.wheelcast.engine.registry.TimerRegistry;

/**
 * Copies of other nodes' timers, kept so that a dead owner's timers fire anyway. Handles
 * SCHEDULE frames (a new replica, a hand-over from a survivor, an adoption announcement) and
 * FIRED frames, and records KILL_ACK outcomes seen for other owners' timers: a finished replica
 * stays, marked and without its payload, until its deadline plus grace, so that whoever adopts
 * a stale copy is told instead of firing it. Loop-confined.
 */
final class Replicas {
    /** Bounds a hand-over's negative delay (a day), so a forged one cannot overflow the deadline arithmetic. */
    private static final long MAX_OVERDUE_MS = 86_400_000L;
    private final NodeConfig config;
    private final long nodeId;
    private final Counters counters;
    private final TimerRegistry registry;
    private final Membership membership;
    private final EntryFrames frames;
    private final Failover failover;
    private final LoopClock clock;
    private final ReceivedId receivedId;

    Replicas(NodeConfig config, long nodeId, Counters counters, TimerRegistry registry, Membership membership,
             EntryFrames frames, Failover failover, ReceivedId receivedId, LoopClock clock) {
        this.config = config;
        this.nodeId = nodeId;
        this.counters = counters;
        this.registry = registry;
        this.membership = membership;
        this.frames = frames;
        this.failover = failover;
        this.clock = clock;
        this.receivedId = receivedId;
    }

    void onSchedule(HeaderFlyweight header, ScheduleFlyweight f) {
        counters.increment(Counter.FRAMES_IN_SCHEDULE);
        int idLen = f.idLength();
        byte[] id = receivedId.copy(f.buffer(), f.idIndex(), idLen);
        int hash = IdBytes.hash(id, 0, idLen);
        int h = registry.find(id, 0, idLen, hash);
        long sender = header.senderId();
        long owner = f.ownerId();
        boolean adoption = (f.frameFlags() & ScheduleFlyweight.FLAG_ADOPTED) != 0;
        // A survivor's hand-over says how long ago the deadline passed (a negative delay): an
        // adopter that knows the owner lived past it presumes it fired instead of firing it again.
        long due = clock.nowMs + Math.max(owner != sender && !adoption ? -MAX_OVERDUE_MS : 0, f.delayMs());
        if (h >= 0) {
            switch (registry.kind(h)) {
                case REPLICA -> {
                    long recorded = registry.owner(h);
                    if (owner != sender && !adoption && recorded != owner && membership.isAlive(recorded)) {
                        // A survivor's hand-over, behind the adopter's announcement: our copy is the
                        // live adopter's now. Taking the hand-over would file it under the dead owner
                        // again, a copy nobody hands over (the takeover scan is past) that looks
                        // unadopted until the timer ends. If the sender meant us as its adopter, it
                        // stops on our answer; otherwise the adopter answers it.
                        counters.increment(Counter.HANDOVERS_AFTER_ADOPTION);
                        if (membership.winner(hash, nodeId, owner) == nodeId) {
                            frames.replicated(sender, owner, h);
                        }
                        return;
                    }
                    if ((registry.marks(h) & TimerRegistry.MARK_DONE) != 0) {
                        if (owner != sender || adoption) {
                            frames.outcomeTo(sender, h); // a survivor or an adopter missed that the timer finished
                            return;
                        }
                        registry.marks(h, 0); // its owner armed the id again
                    }
                    registry.transition(h, EntryKind.REPLICA, due + config.replicaGraceMs());
                    registry.replicaDue(h, due);
                    registry.owner(h, owner);
                    if (owner == sender) {
                        registry.cancelRetry(h); // an owner is alive again: nothing to hand over
                        if (adoption && (registry.marks(h) & TimerRegistry.MARK_KILLED) != 0) {
                            frames.killOf(sender, h); // the adopter missed the kill
                        }
                        acknowledgeIfAsked(f, sender, owner, hash, h);
                    } else {
                        failover.onHandOver(h, sender, owner);
                    }
                    return;
                }
                case TOMBSTONE -> {
                    // The owner holds a tombstone too (or will get the retransmitted KILL) and cancels it.
                    // A routed kill reached the holders, maybe not the owner: pass it on.
                    counters.increment(Counter.SCHEDULE_AFTER_KILL);
                    if (owner == sender && !adoption && frames.routesKills()) {
                        frames.killForward(sender, registry.requestId(h), registry.canceller(h), h);
                    }
                    if (adoption || owner != sender) {
                        frames.killOf(sender, h); // tell the adopter
                    }
                    if (owner != sender && !adoption) {
                        frames.replicated(sender, owner, h); // to a survivor handing it over: we know it is cancelled
                    }
                    return;
                }
                case LOCAL_ARMED -> {
                    failover.onScheduleOfArmed(h, sender, owner, adoption, hash);
                    return;
                }
                case LOCAL_CANCELLED, LOCAL_FIRED -> {
                    if (adoption || owner == registry.owner(h) || owner == nodeId) {
                        frames.outcomeTo(sender, h); // an adopter or forwarder still thinks it is armed
                        return;
                    }
                    registry.remove(h); // a finished timer's record; the id was reused by another owner
                }
                default -> {
                }
            }
        }
        if (owner != sender && membership.winner(hash, nodeId, owner) != nodeId) {
            return; // a hand-over meant for another adopter: a copy here would only go stale
        }
        if (owner == sender && (f.frameFlags() & ScheduleFlyweight.FLAG_ACK_ANY) == 0
                && !membership.holds(hash, nodeId, owner, config.replicas())) {
            counters.increment(Counter.REPLICAS_NOT_HOLDER); // one of the k designated holders keeps it
            return;
        }
        h = registry.insert(EntryKind.REPLICA, id, 0, idLen, hash, due + config.replicaGraceMs());
        if (h < 0) {
            counters.increment(Counter.REPLICAS_DROPPED_FULL);
            return;
        }
        registry.owner(h, owner);
        registry.replicaDue(h, due);
        if (f.payloadLength() > 0) {
            registry.payload(h, f.payloadCopy());
        }
        counters.increment(Counter.REPLICAS_STORED);
        if (owner != sender) {
            failover.onHandOver(h, sender, owner);
        } else {
            acknowledgeIfAsked(f, sender, owner, hash, h);
        }
    }

    /**
     * Each of the owner's designated holders (or anyone, when the owner asks so) confirms it holds
     * the replica: the owner re-sends until all k have, so a timer survives its owner and k - 1
     * holders crashing together. The designated backup (the rendezvous winner, which would adopt
     * it) is the holder the owner tells reliably how the timer ends, marked so.
     */
    private void acknowledgeIfAsked(ScheduleFlyweight f, long sender, long owner, int hash, int h) {
        if (owner != sender || !config.takeover()) {
            return; // a hand-over from a survivor is answered by the adopter's announcement instead
        }
        if (!membership.isAlive(owner)) {
            // No heartbeat of the owner heard yet: we could not tell when it dies, so we must not
            // be the holder it counts on. Its re-sends reach a member that knows it.
            return;
        }
        boolean anyone = (f.frameFlags() & ScheduleFlyweight.FLAG_ACK_ANY) != 0;
        if (anyone || membership.winner(hash, nodeId, owner) == nodeId) {
            registry.marks(h, registry.marks(h) | TimerRegistry.MARK_HELD);
            frames.replicated(owner, owner, h);
        } else if (membership.holds(hash, nodeId, owner, config.replicas())) {
            frames.replicated(owner, owner, h);
        }
    }

    void onFired(HeaderFlyweight header, FiredFlyweight f) {
        counters.increment(Counter.FRAMES_IN_FIRED);
        finishedElsewhere(header.senderId(), f.ownerId(), f.buffer(), f.idIndex(), f.idLength(), EntryKind.LOCAL_FIRED, 0, 0);
    }

    /**
     * Another node answered for or fired this id ({@code ownerOfRecord}: the node that armed the
     * timer it ended, from a FIRED; 0 from a KILL_ACK, which does not say). A replica is marked finished and loses its
     * payload; the owner's acknowledged holder also confirms, so the owner stops re-sending the
     * outcome. An armed copy here (we were declared dead and it was adopted, or two nodes
     * adopted it) is finished without firing.
     */
    void finishedElsewhere(long sender, long ownerOfRecord, ByteBuf buf, int idIndex, int idLen, EntryKind outcome,
                           long requestId, long canceller) {
        byte[] id = receivedId.copy(buf, idIndex, idLen);
        int h = registry.find(id, 0, idLen, IdBytes.hash(id, 0, idLen));
        if (h < 0) {
            return;
        }
        EntryKind kind = registry.kind(h);
        if (ownerOfRecord != 0 && ownerOfRecord != registry.owner(h) && sender != registry.owner(h)
                && (kind == EntryKind.REPLICA || kind == EntryKind.LOCAL_ARMED)) {
            // The outcome of another timer with this id: an earlier life, owned elsewhere, whose
            // adopter re-sends how it ended. Finishing ours with it would lose ours.
            counters.increment(Counter.OUTCOMES_OF_OTHER_LIVES);
            return;
        }
        if (kind == EntryKind.REPLICA) {
            int marks = registry.marks(h);
            if ((marks & TimerRegistry.MARK_DONE) == 0) {
                boolean cancelled = outcome == EntryKind.LOCAL_CANCELLED;
                registry.marks(h, marks | (cancelled ? TimerRegistry.MARK_DONE_CANCELLED : TimerRegistry.MARK_DONE_FIRED));
                registry.killedBy(h, requestId, canceller);
                registry.payload(h, null);
                registry.cancelRetry(h);
            }
            if ((marks & TimerRegistry.MARK_HELD) != 0) {
                frames.replicated(sender, sender, h); // the owner re-sends the outcome until its holder confirms
            }
        } else if (kind == EntryKind.LOCAL_ARMED && sender != nodeId) {
            registry.cancelRetry(h);
            registry.transition(h, outcome, clock.nowMs + config.recordTtlMs());
            registry.payload(h, null);
            registry.killedBy(h, 0, sender);
            counters.increment(outcome == EntryKind.LOCAL_CANCELLED ? Counter.TIMERS_CANCELLED_ELSEWHERE : Counter.TIMERS_FIRED_ELSEWHERE);
        }
    }
}
