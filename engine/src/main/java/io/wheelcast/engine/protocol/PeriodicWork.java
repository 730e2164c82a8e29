package io.wheelcast.engine.protocol;

import io.wheelcast.engine.Counter;
import io.wheelcast.engine.config.NodeConfig;
import io.wheelcast.engine.counters.Counters;
import io.wheelcast.engine.membership.Membership;
import io.wheelcast.codec.HeartbeatFlyweight;
import io.wheelcast.engine.registry.EntryKind;
import io.wheelcast.engine.registry.TimerRegistry;
import io.wheelcast.engine.registry.TimerWheel;
import io.wheelcast.engine.reliability.PendingCancels;
import io.wheelcast.engine.reliability.SenderTable;

import java.util.SplittableRandom;

/**
 * The clock's work, once per tick: the own pause watch and its quarantine, failure detection,
 * registry deadlines (own timers fire, replicas' grace ends, tombstones and records expire),
 * due retransmits and re-sends (each bounded per tick), heartbeats and the gauges.
 * Loop-confined.
 */
final class PeriodicWork {
    private static final int EXPIRY_BATCH = 4096;
    /** Retransmits per tick at most (256k/s at a 1 ms tick): the rest wait a tick, bounding overload work. */
    private static final int RETRANSMIT_BATCH = 256;
    private static final long DETECT_PERIOD_MS = 10;
    private static final long UNREPLICATED_SCAN_PERIOD_MS = 250;

    private final NodeConfig config;
    private final Counters counters;
    private final TimerRegistry registry;
    private final PendingCancels pending;
    private final SenderTable senders;
    private final Membership membership;
    private final EntryFrames frames;
    private final Replication replication;
    private final Failover failover;
    private final PeerDiscovery discovery;
    private final LoopClock clock;
    private final SplittableRandom jitter;
    private final TimerWheel.ExpiryHandler registryDeadline = this::onRegistryDeadline;
    private final TimerWheel.ExpiryHandler retransmitDue;
    private final TimerWheel.ExpiryHandler retryDue = this::onRetryDue;
    private long lastTickMs = Long.MIN_VALUE;
    /** The last tick, whatever the heartbeat settings (dates what a stall left in the socket, {@link LoopClock}). */
    private long lastTurnMs = Long.MIN_VALUE;
    private long nextDetectMs;
    private long nextHeartbeatMs;
    private long heartbeats;
    private long nextUnreplicatedScanMs;
    /** The last tick after which no own timer due was left unfired (expiries are fired in bounded batches). */
    private long expiriesCurrentMs = Long.MIN_VALUE;
    /** After a long own pause, own timers wait until here so adopters can tell this node what they did meanwhile. */
    private long quarantineUntilMs = Long.MIN_VALUE;
    private static final int QUARANTINE_CAP_TIMES = 4;
    /** The quarantine is stretched while the adopters are still telling, but never past here. */
    private long quarantineCapMs = Long.MIN_VALUE;
    /** Own timers yielded or finished elsewhere so far, to see whether the adopters are still telling. */
    private long toldSoFar;

    PeriodicWork(NodeConfig config, long nodeId, Counters counters, TimerRegistry registry, PendingCancels pending,
                 SenderTable senders, Membership membership, EntryFrames frames, Replication replication,
                 Failover failover, CancelProtocol cancels, PeerDiscovery discovery, LoopClock clock) {
        this.config = config;
        this.counters = counters;
        this.registry = registry;
        this.pending = pending;
        this.senders = senders;
        this.membership = membership;
        this.frames = frames;
        this.replication = replication;
        this.failover = failover;
        this.discovery = discovery;
        this.clock = clock;
        this.jitter = new SplittableRandom(nodeId);
        this.retransmitDue = cancels::onRetransmitDue;
        this.nextHeartbeatMs = clock.nowMs;
    }

    /**
     * A datagram is read: if the loop stalled since its last turn, the stall is noticed now, so
     * that a quarantine's first heartbeat (saying it defers its timers) goes out before any
     * answer to what waited in the socket, which would otherwise read as proof that it fired them.
     */
    void beforeDatagram(long now) {
        clock.turned(lastTurnMs, config.tickMs());
        long interval = config.heartbeatIntervalMs();
        if (interval <= 0 || lastTickMs == Long.MIN_VALUE || now - lastTickMs - config.tickMs() < interval / 4) {
            return;
        }
        boolean quarantined = now < quarantineUntilMs;
        watchOwnPause(now, interval);
        if (!quarantined && now < quarantineUntilMs) {
            nextHeartbeatMs = now + heartbeatPeriod(now, interval);
            heartbeat(interval);
        }
    }

    /** Fires due timers, retransmits due kills, expires records, sends heartbeats; the caller flushes. */
    void tick(long now) {
        clock.turned(lastTurnMs, config.tickMs());
        lastTurnMs = now;
        long interval = config.heartbeatIntervalMs();
        if (interval > 0) {
            watchOwnPause(now, interval);
            if (now >= nextDetectMs) {
                nextDetectMs = now + DETECT_PERIOD_MS;
                membership.detect(now, failover);
            }
        }
        replication.settleReturned(now);
        if (now < quarantineUntilMs) {
            stretchQuarantineWhileTold(now);
        }
        if (registry.poll(now, registryDeadline, EXPIRY_BATCH) < EXPIRY_BATCH) {
            expiriesCurrentMs = now; // every timer due by now has fired
        }
        pending.poll(now, retransmitDue, RETRANSMIT_BATCH);
        registry.pollRetries(now, retryDue, RETRANSMIT_BATCH);
        if (interval > 0 && now >= nextHeartbeatMs) {
            // +-10% jitter so the heartbeats of nodes started together do not stay in lockstep
            nextHeartbeatMs = now + heartbeatPeriod(now, interval);
            heartbeat(interval);
            discovery.appendMemberList();
        }
        updateGauges();
    }

    /**
     * Pauses are not deaths. A stalled loop (GC, VM pause, SIGSTOP, an overloaded host) says
     * nothing about the others: the stall does not count against their silence. If the stall
     * was long enough for the others to declare us dead, our own timers wait out a quarantine in
     * which the adopters, hearing our heartbeat, tell us what they took over (we then yield)
     * before anything fires here.
     */
    private void watchOwnPause(long now, long interval) {
        long last = lastTickMs;
        lastTickMs = now;
        if (last == Long.MIN_VALUE) {
            return;
        }
        long stall = now - last - config.tickMs();
        if (stall < interval / 4) {
            return; // ordinary scheduling noise: small against the failure timeout
        }
        membership.selfStalled(now, stall);
        if (stall >= interval) {
            counters.increment(Counter.PAUSES_DETECTED);
            nextHeartbeatMs = now;
        }
        if (stall + interval >= config.failureTimeoutMs()) {
            // Long enough for the adopters to hear us (heartbeats go out 5x as often meanwhile) and re-send what they took.
            quarantineUntilMs = now + config.failureTimeoutMs() + interval;
            quarantineCapMs = now + QUARANTINE_CAP_TIMES * (config.failureTimeoutMs() + interval);
            toldSoFar = told();
            for (int h = 0, n = registry.capacity(); h < n; h++) { // one scan per long stall
                if (registry.kind(h) == EntryKind.LOCAL_ARMED) {
                    registry.marks(h, registry.marks(h) | TimerRegistry.MARK_BEFORE_STALL);
                }
            }
        }
    }

    /**
     * The fixed quarantine assumes the adopters re-send what they took within a failure timeout
     * of hearing us. Starved of CPU (or through loss), they are slower: 148 of 10,000 timers
     * fired twice when it ended mid-stream (defect 18, docs/operations.md). So while they are
     * still telling (a timer of ours yielded or finished elsewhere since the last tick), it lasts
     * until a failure timeout after the latest word, up to {@link #QUARANTINE_CAP_TIMES} times
     * its length: a timer nobody adopted is held back longer, never forever.
     */
    private void stretchQuarantineWhileTold(long now) {
        long told = told();
        if (told != toldSoFar) {
            toldSoFar = told;
            quarantineUntilMs = Math.min(quarantineCapMs, Math.max(quarantineUntilMs, now + config.failureTimeoutMs()));
        }
    }

    private long told() {
        return counters.get(Counter.TIMERS_YIELDED) + counters.get(Counter.TIMERS_FIRED_ELSEWHERE)
                + counters.get(Counter.TIMERS_CANCELLED_ELSEWHERE);
    }

    /** Heartbeats go out 5x as often during a quarantine, so the adopters learn soon, even through loss, that we are back. */
    private long heartbeatPeriod(long now, long interval) {
        return now < quarantineUntilMs ? Math.max(1, interval / 5) : interval - interval / 10 + jitter.nextLong(interval / 5 + 1);
    }

    /** A heartbeat carrying the live-timer count (interval 0 is the goodbye). */
    void heartbeat(long intervalMs) {
        frames.heartbeat(registry.count(EntryKind.LOCAL_ARMED), intervalMs, ++heartbeats,
                clock.nowMs < quarantineUntilMs ? HeartbeatFlyweight.FLAG_DEFERRING : 0);
    }

    /**
     * How far this node's expiries are settled, for the SETTLED frame that begins every datagram:
     * every timer due before (now - the answer) has fired and its listener returned, so a member
     * that missed its FIRED may presume it fired. -1 (no frame) during a quarantine: the timers
     * held back then are due in the past yet not settled.
     */
    long unsettledForMs() {
        long now = clock.nowMs;
        if (now < quarantineUntilMs) {
            return -1;
        }
        long settledThrough = Math.min(Math.min(now, expiriesCurrentMs), replication.oldestUnsettledDeadline());
        return settledThrough == Long.MIN_VALUE ? now : Math.max(0, now - settledThrough);
    }

    private void onRegistryDeadline(int h, long now) {
        switch (registry.kind(h)) {
            case LOCAL_ARMED -> {
                if (now < quarantineUntilMs && (registry.marks(h) & TimerRegistry.MARK_BEFORE_STALL) != 0) {
                    registry.wheel().schedule(h, quarantineUntilMs); // the adopters may say it is theirs
                } else if (!replication.deferAdoptedUntilHoldersAnswer(h, now)) {
                    replication.fire(h, now);
                }
            }
            case REPLICA -> failover.replicaGraceOver(h, now);
            case TOMBSTONE -> {
                counters.increment(Counter.TOMBSTONES_EXPIRED);
                registry.remove(h);
            }
            case LOCAL_FIRED -> {
                if ((registry.marks(h) & TimerRegistry.MARK_LISTENING) != 0) {
                    registry.wheel().schedule(h, now + config.recordTtlMs()); // answers kills once its listener returns
                } else {
                    registry.remove(h);
                }
            }
            default -> registry.remove(h);
        }
    }

    /** A re-send fell due: a replica's hand-over belongs to failover, every other to the own timer's replication. */
    private void onRetryDue(int h, long now) {
        if (registry.kind(h) == EntryKind.REPLICA) {
            failover.onReplicaRetryDue(h);
        } else {
            replication.onRetryDue(h, now);
        }
    }

    void updateGauges() {
        counters.set(Counter.LIVE_TIMERS, registry.count(EntryKind.LOCAL_ARMED));
        counters.set(Counter.REPLICAS, registry.count(EntryKind.REPLICA));
        counters.set(Counter.TOMBSTONES, registry.tombstoneClassCount());
        counters.set(Counter.PENDING_CANCELS, pending.size());
        counters.set(Counter.KNOWN_SENDERS, senders.size());
        counters.set(Counter.LIVE_MEMBERS, membership.liveCount());
        counters.set(Counter.UNICAST_DESTINATIONS, discovery.destinationCount());
        counters.set(Counter.EXPIRIES_UNSETTLED, replication.unsettledExpiries());
        if (config.takeover() && clock.nowMs >= nextUnreplicatedScanMs) {
            nextUnreplicatedScanMs = clock.nowMs + UNREPLICATED_SCAN_PERIOD_MS; // a scan of the slab: cheap, but not every tick
            counters.set(Counter.UNREPLICATED_TIMERS, replication.countUnreplicated());
        }
    }
}
