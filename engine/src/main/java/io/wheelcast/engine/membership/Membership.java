package io.wheelcast.engine.membership;

import io.wheelcast.engine.registry.OpenAddressing;

/**
 * The members this node has heard, which of them are alive, and a failure detector that adapts
 * its timeout to each member's measured heartbeat loss.
 * The table is a few arrays with a hash index from member id to slot, so that looking a member
 * up per datagram costs the same at 6 members as at 1,000 (a linear scan, fine for a LAN
 * segment of tens, was most of the simulated 1,000-node cluster's time: docs/scale.md); the
 * live count is kept as members come and go, and the detector scans the table only once the
 * earliest deadline has passed. Confined to the event loop.
 *
 * <p>Detector: a member is declared dead after a silence longer than its timeout, at least the
 * configured one. On a lossy link that is not enough (at 50% loss, three heartbeats in a row go
 * missing every eight intervals), so the timeout grows to the number of intervals whose
 * consecutive loss has probability under 10<sup>-6</sup> at the loss rate measured from the gaps
 * in the member's heartbeat counter: 3 intervals up to 1% loss, 6 at 10%, 20 at 50%. Like phi
 * accrual (Hayashibara et al.), but with the distribution a periodic sender on a lossy link has;
 * counting missing heartbeats rather than timing arrivals keeps a sender's slow loop turn (a
 * burst of work, a GC) from reading as loss.
 *
 * <p>Two things keep false suspicions from growing with the cluster (docs/scale.md). The
 * accepted chance is per cluster, not per pair of members: N nodes watch N(N - 1) pairs, so
 * above 32 nodes it shrinks to 10<sup>-3</sup> / (N(N - 1)) per interval (at 10% loss, 8
 * intervals at 300 nodes, 9 at 1,000). And a member's loss estimate leans on the loss this node
 * measures from every member until its own heartbeats have said enough: a member heard a few
 * times without a gap, on a link that loses 10%, is not taken for lossless (from a cold start
 * of 1,000 nodes at 10% loss, thousands of false suspicions in a minute before).
 *
 * <p>Also the rendezvous (highest random weight) choice of a timer's adopter: every node with
 * the same view picks the same live member for an id, and a member's death only moves the ids
 * it had won.
 *
 * <p>Internal API.
 */
public final class Membership {
    /** What {@link #heard} learned. */
    public enum Heard { KNOWN, JOINED, REVIVED, TABLE_FULL }

    /** Told when members are declared dead by {@link #detect}. */
    @FunctionalInterface
    public interface DeathListener {
        void onDead(long memberId);
    }

    /** Accepted chance that a live member's heartbeats all go missing for a whole timeout. */
    private static final double FALSE_SUSPICION = 1e-6;
    /** Accepted chance, per heartbeat interval, that some live member is falsely suspected by some node of the cluster. */
    private static final double CLUSTER_FALSE_SUSPICION = 1e-3;
    private static final int MAX_INTERVALS = 40;
    /** Weight of the newest heartbeat gap in the loss estimate. */
    private static final double ALPHA = 0.1;
    /** Weight of the newest heartbeat gap, of any member, in the network's loss estimate. */
    private static final double NETWORK_ALPHA = 0.01;
    /** The network's loss estimate counts as this many of a member's own heartbeat gaps... */
    private static final int NETWORK_WEIGHT = 10;
    /** ... and a member's own estimate as at most this many. */
    private static final int OWN_WEIGHT_CAP = 30;

    private final long[] ids;
    /** Last time heard, credited with our own stalls: what the detector judges. */
    private final long[] lastHeard;
    /** Last time a datagram arrived while the member did not say it defers its timers. */
    private final long[] lastReceived;
    /**
     * Every timer the member fired before this (our clock) was delivered and told to its holders,
     * as its last SETTLED said; {@link Long#MIN_VALUE} before the first. What the presumed-fired rule judges.
     */
    private final long[] settledThrough;
    /** The member sends SETTLED (a node of an older version does not: its datagrams stand for it). */
    private final boolean[] reportsSettled;
    /** The slot {@link #touch} found last: {@link #received} for the same datagram reuses it. */
    private int touched = -1;
    /** The member's last heartbeat said it defers its own timers (its quarantine). */
    private final boolean[] deferring;
    private final long[] lastBeat;
    private final long[] intervals;
    /** Smoothed heartbeats expected and heartbeats received per arrival; their ratio estimates the loss. */
    private final double[] expected;
    private final double[] received;
    /** Heartbeat gaps measured per member, up to {@link #OWN_WEIGHT_CAP}. */
    private final int[] samples;
    /** The same smoothing over every member's gaps: the loss of the network as this node hears it. */
    private double networkExpected = 1;
    private double networkReceived = 1;
    private long networkSamples;
    private final long[] timeouts;
    private final boolean[] alive;
    /** Said goodbye: never alive again (a restarted process has a new id); its late datagrams revive nothing. */
    private final boolean[] left;
    private final long minTimeoutMs;
    private final long marginMs;
    private int size;
    /** Live members, kept as they come and go. */
    private int live;
    /** No live member's deadline (last heard + timeout) is earlier: {@link #detect} has nothing to do before. */
    private long nextDeadlineMs = Long.MAX_VALUE;
    /** Index from member id to slot: linear probing, key 0 free (node ids are never 0). */
    private final long[] indexKeys;
    private final int[] indexSlots;
    private final int indexMask;
    /** Scratch of {@link #holders}: the scores of the holders found so far. */
    private final long[] holderScores = new long[64];

    /**
     * @param minTimeoutMs the configured failure timeout: the floor of every member's timeout
     * @param marginMs     added to the adaptive part, at most 2 intervals (scheduling and network jitter)
     */
    public Membership(int maxMembers, long minTimeoutMs, long marginMs) {
        this.ids = new long[maxMembers];
        this.lastHeard = new long[maxMembers];
        this.lastReceived = new long[maxMembers];
        this.settledThrough = new long[maxMembers];
        this.reportsSettled = new boolean[maxMembers];
        this.deferring = new boolean[maxMembers];
        this.lastBeat = new long[maxMembers];
        this.intervals = new long[maxMembers];
        this.expected = new double[maxMembers];
        this.received = new double[maxMembers];
        this.samples = new int[maxMembers];
        this.timeouts = new long[maxMembers];
        this.alive = new boolean[maxMembers];
        this.left = new boolean[maxMembers];
        this.minTimeoutMs = minTimeoutMs;
        this.marginMs = marginMs;
        int tableSize = OpenAddressing.tableSize(maxMembers);
        this.indexKeys = new long[tableSize];
        this.indexSlots = new int[tableSize];
        this.indexMask = tableSize - 1;
    }

    /** The silence after which {@code member} would be declared dead now; -1 if unknown. */
    public long timeoutMs(long member) {
        int i = indexOf(member);
        return i < 0 ? -1 : timeouts[i];
    }

    /** The member's loss rate: its own measure, blended with the network's while it has few samples. */
    private double loss(int i) {
        double own = samples[i] == 0 ? 0 : Math.max(0, 1 - received[i] / expected[i]);
        double network = Math.max(0, 1 - networkReceived / networkExpected);
        int w = samples[i];
        return (w * own + NETWORK_WEIGHT * network) / (w + NETWORK_WEIGHT);
    }

    /** The loss rate this node measures over every member's heartbeats. */
    public double networkLoss() {
        return Math.max(0, 1 - networkReceived / networkExpected);
    }

    /** Accepted chance that one live member is falsely suspected in one interval: per pair, so the cluster's stays bounded. */
    private double falseSuspicion() {
        double n = live + 1.0;
        return Math.min(FALSE_SUSPICION, CLUSTER_FALSE_SUSPICION / (n * (n - 1)));
    }

    /** Learns from the gap in the member's heartbeat counter how many went missing, and re-sizes its timeout. */
    private void sample(int i, long beat, long intervalMs) {
        if (lastBeat[i] >= 0) {
            long sent = (beat - lastBeat[i]) & 0xFFFF_FFFFL; // u32 counter, wraps
            if (sent >= 1 && sent <= 1_000) { // else a restart of the counter: no sample
                // the plain mean of the first samples, then a moving average: no prior to wear off
                double a = Math.max(ALPHA, 1.0 / (samples[i] + 1));
                expected[i] = (1 - a) * expected[i] + a * sent;
                received[i] = (1 - a) * received[i] + a;
                samples[i] = Math.min(OWN_WEIGHT_CAP, samples[i] + 1);
                double g = Math.max(NETWORK_ALPHA, 1.0 / ++networkSamples);
                networkExpected = (1 - g) * networkExpected + g * sent;
                networkReceived = (1 - g) * networkReceived + g;
            }
        }
        lastBeat[i] = beat;
        intervals[i] = intervalMs;
        timeouts[i] = timeout(i);
        noteDeadline(i);
    }

    /** The silence after which member {@code i} is declared dead, from its loss estimate now. */
    private long timeout(int i) {
        double p = Math.min(0.95, loss(i));
        int n = p <= 0 ? 3 : (int) Math.min(MAX_INTERVALS, Math.max(3, Math.ceil(Math.log(falseSuspicion()) / Math.log(p))));
        return Math.max(minTimeoutMs, n * intervals[i] + Math.min(marginMs, 2 * intervals[i]));
    }

    /** A live member's deadline may have moved earlier (a shorter timeout, or it came back). */
    private void noteDeadline(int i) {
        nextDeadlineMs = Math.min(nextDeadlineMs, lastHeard[i] + timeouts[i]);
    }

    private int ideal(long member) {
        long h = member * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & indexMask;
    }

    /** The slot of the datagram's sender, found once by {@link #touch}: no second probe of the index per datagram. */
    private int senderSlot(long member) {
        return touched >= 0 && touched < size && ids[touched] == member ? touched : indexOf(member);
    }

    private int indexOf(long member) {
        for (int j = ideal(member); ; j = (j + 1) & indexMask) {
            long k = indexKeys[j];
            if (k == member) {
                return indexSlots[j];
            }
            if (k == 0) {
                return -1;
            }
        }
    }

    private void indexPut(long member, int slot) {
        int j = ideal(member);
        while (indexKeys[j] != 0) {
            j = (j + 1) & indexMask;
        }
        indexKeys[j] = member;
        indexSlots[j] = slot;
    }

    /** Backward-shift deletion: no tombstones, so lookups stay short. */
    private void indexRemove(long member) {
        int hole = ideal(member);
        while (indexKeys[hole] != member) {
            if (indexKeys[hole] == 0) {
                return;
            }
            hole = (hole + 1) & indexMask;
        }
        indexKeys[hole] = 0;
        for (int j = (hole + 1) & indexMask; indexKeys[j] != 0; j = (j + 1) & indexMask) {
            if (OpenAddressing.canFillHole(hole, j, ideal(indexKeys[j]))) {
                indexKeys[hole] = indexKeys[j];
                indexSlots[hole] = indexSlots[j];
                indexKeys[j] = 0;
                hole = j;
            }
        }
    }

    /** A heartbeat from {@code member}, which sends one every {@code intervalMs}: it is alive now. */
    public Heard heard(long member, long nowMs, long intervalMs, long beat) {
        return heard(member, nowMs, intervalMs, beat, false);
    }

    /**
     * A heartbeat; {@code deferring}: the member is in its quarantine after a stall and holds
     * back its own timers that fall due, so what it sends until a heartbeat says otherwise is
     * no evidence that it fired them ({@link #lastReceived} stays where it was).
     */
    public Heard heard(long member, long nowMs, long intervalMs, long beat, boolean deferring) {
        int i = senderSlot(member);
        if (i >= 0) {
            if (left[i]) {
                return Heard.KNOWN;
            }
            this.deferring[i] = deferring;
            lastHeard[i] = nowMs;
            if (!deferring) {
                lastReceived[i] = nowMs;
            }
            if (alive[i]) {
                sample(i, beat, intervalMs);
                return Heard.KNOWN;
            }
            alive[i] = true;
            live++;
            lastBeat[i] = -1; // the silence while it was dead is not loss
            sample(i, beat, intervalMs);
            return Heard.REVIVED;
        }
        int slot = size < ids.length ? size++ : oldestDead();
        if (slot < 0) {
            return Heard.TABLE_FULL;
        }
        if (ids[slot] != 0) {
            indexRemove(ids[slot]); // a dead member's slot, reused
        }
        ids[slot] = member;
        indexPut(member, slot);
        left[slot] = false;
        lastHeard[slot] = nowMs;
        lastReceived[slot] = deferring ? Long.MIN_VALUE : nowMs;
        settledThrough[slot] = Long.MIN_VALUE;
        reportsSettled[slot] = false;
        this.deferring[slot] = deferring;
        lastBeat[slot] = -1;
        samples[slot] = 0; // its own loss is unknown: the network's stands for it
        expected[slot] = 1;
        received[slot] = 1;
        alive[slot] = true;
        live++;
        sample(slot, beat, intervalMs);
        return Heard.JOINED;
    }

    private int oldestDead() {
        int victim = -1;
        for (int i = 0; i < size; i++) {
            if (!alive[i] && (victim < 0 || lastHeard[i] < lastHeard[victim])) {
                victim = i;
            }
        }
        return victim;
    }

    /**
     * Any datagram from a member proves it alive. Returns true if it had been declared dead
     * (it was paused or cut off, and is back).
     */
    public boolean touch(long member, long nowMs) {
        int i = indexOf(member);
        touched = i;
        if (i < 0 || left[i]) {
            return false;
        }
        lastHeard[i] = nowMs; // lastReceived after its frames: a heartbeat among them may say it defers its timers
        if (alive[i]) {
            return false;
        }
        alive[i] = true;
        live++;
        lastBeat[i] = -1; // the silence while it was dead is not loss
        noteDeadline(i);
        return true;
    }

    /** A datagram from {@code member} was handled: evidence its loop turned, unless it said it defers its timers. */
    public void received(long member, long nowMs) {
        int i = senderSlot(member);
        if (i >= 0 && !left[i] && !deferring[i]) {
            lastReceived[i] = nowMs;
        }
    }

    /**
     * A SETTLED from {@code member}: every timer it fired more than {@code unsettledForMs} before
     * sending it was delivered. Ignored while it defers its timers (it holds some back unfired).
     */
    public void settled(long member, long nowMs, long unsettledForMs) {
        int i = senderSlot(member);
        if (i >= 0 && !left[i] && !deferring[i]) {
            reportsSettled[i] = true;
            settledThrough[i] = Math.max(settledThrough[i], nowMs - unsettledForMs);
        }
    }

    /**
     * Up to when (our clock) {@code member}'s fired timers are known delivered: its last SETTLED,
     * or for a member that sends none (an older version) its last datagram; {@link Long#MIN_VALUE} if never.
     */
    public long settledThrough(long member) {
        int i = indexOf(member);
        if (i < 0) {
            return Long.MIN_VALUE;
        }
        return reportsSettled[i] ? settledThrough[i] : lastReceived[i];
    }

    /** When a datagram from {@code member} last arrived (not credited with our stalls); {@link Long#MIN_VALUE} if never. */
    public long lastReceived(long member) {
        int i = indexOf(member);
        return i < 0 ? Long.MIN_VALUE : lastReceived[i];
    }

    /**
     * Some member heard within the last {@code windowMs} is declared dead but has not said
     * goodbye: it may only be paused, with what was sent to it waiting in its socket. One scan of
     * the table.
     */
    public boolean anyRecentlyDead(long nowMs, long windowMs) {
        for (int i = 0; i < size; i++) {
            if (recentlyDead(i, nowMs, windowMs)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Some member {@link #anyRecentlyDead} finds ranks under {@code limit} among the holders of
     * an owner's id, so it may hold a copy of that timer (a paused holder reads it late). One
     * scan of the table, and a rank per recently dead member.
     */
    public boolean anyRecentlyDeadHolder(int idHash, long owner, int limit, long nowMs, long windowMs) {
        for (int i = 0; i < size; i++) {
            if (recentlyDead(i, nowMs, windowMs) && ids[i] != owner && rank(idHash, ids[i], owner, limit) < limit) {
                return true;
            }
        }
        return false;
    }

    private boolean recentlyDead(int i, long nowMs, long windowMs) {
        return !alive[i] && !left[i] && nowMs - lastHeard[i] < windowMs;
    }

    /**
     * The members {@link #anyRecentlyDead} finds, into {@code out} from index {@code from} up to
     * its length; returns how many it wrote. One scan of the table.
     */
    public int recentlyDead(long nowMs, long windowMs, long[] out, int from) {
        int at = from;
        for (int i = 0; i < size && at < out.length; i++) {
            if (recentlyDead(i, nowMs, windowMs)) {
                out[at++] = ids[i];
            }
        }
        return at - from;
    }

    /** Declared dead (not gone: a goodbye ends its hand-overs) and last heard within {@code windowMs}. */
    public boolean diedWithin(long member, long nowMs, long windowMs) {
        int i = indexOf(member);
        return i >= 0 && recentlyDead(i, nowMs, windowMs);
    }

    /** Known as a member, and declared dead or gone. */
    public boolean isDead(long member) {
        int i = indexOf(member);
        return i >= 0 && !alive[i];
    }

    /** Whether {@code member} said goodbye (a restarted process comes back with a new id). */
    public boolean hasLeft(long member) {
        int i = indexOf(member);
        return i >= 0 && left[i];
    }

    /** The member said goodbye; returns whether it was alive. */
    public boolean left(long member) {
        int i = indexOf(member);
        if (i >= 0 && alive[i]) {
            alive[i] = false;
            live--;
            left[i] = true;
            return true;
        }
        return false;
    }

    /**
     * This node's own loop stalled for {@code stallMs}: silence during the stall says nothing
     * about the others (we were not reading), so it does not count against them.
     */
    public void selfStalled(long nowMs, long stallMs) {
        for (int i = 0; i < size; i++) {
            if (alive[i]) {
                lastHeard[i] = Math.min(nowMs, lastHeard[i] + stallMs);
            }
        }
    }

    /** Declares dead every live member silent for longer than the timeout; returns how many. */
    public int detect(long nowMs, DeathListener listener) {
        if (nowMs <= nextDeadlineMs) {
            return 0;
        }
        int declared = 0;
        long next = Long.MAX_VALUE;
        nextDeadlineMs = Long.MAX_VALUE; // members a listener revives meanwhile note theirs
        for (int i = 0; i < size; i++) {
            if (!alive[i]) {
                continue;
            }
            if (nowMs - lastHeard[i] > timeouts[i]) {
                // sized when it was last heard: the network's loss measured since (a cold start's
                // first seconds) may call for a longer one
                timeouts[i] = Math.max(timeouts[i], timeout(i));
            }
            if (nowMs - lastHeard[i] > timeouts[i]) {
                declared++;
                declareDead(i, listener);
            } else {
                next = Math.min(next, lastHeard[i] + timeouts[i]);
            }
        }
        nextDeadlineMs = Math.min(nextDeadlineMs, next);
        return declared;
    }

    /**
     * A peer declared {@code member} dead: if we have not heard it for {@code silentForMs} either,
     * we declare it dead now rather than wait out our own timeout (stretched, say, by a loss burst
     * we went through). Two views agree; a member wrongly declared comes back as after a pause.
     * Returns true if it was declared dead now.
     */
    public boolean confirmDead(long member, long nowMs, long silentForMs, DeathListener listener) {
        int i = indexOf(member);
        if (i < 0 || !alive[i] || left[i] || nowMs - lastHeard[i] < silentForMs) {
            return false;
        }
        declareDead(i, listener);
        return true;
    }

    private void declareDead(int i, DeathListener listener) {
        alive[i] = false;
        live--;
        listener.onDead(ids[i]);
    }

    public boolean isAlive(long member) {
        int i = indexOf(member);
        return i >= 0 && alive[i];
    }

    /** The live members' ids (a copy, for observers off the hot path). */
    public long[] liveMembers() {
        long[] out = new long[liveCount()];
        for (int i = 0, n = 0; i < size; i++) {
            if (alive[i]) {
                out[n++] = ids[i];
            }
        }
        return out;
    }

    public int liveCount() {
        return live;
    }

    /**
     * The rendezvous winner for an id among the live members and {@code self}, leaving out
     * {@code excluded} (the owner whose successor is wanted). Returns {@code self} when it is
     * the only candidate.
     */
    public long winner(int idHash, long self, long excluded) {
        long best = self;
        long bestScore = self == excluded ? 0 : score(self, idHash);
        for (int i = 0; i < size; i++) {
            if (alive[i] && ids[i] != excluded) {
                long s = score(ids[i], idHash);
                if (Long.compareUnsigned(s, bestScore) > 0) {
                    best = ids[i];
                    bestScore = s;
                }
            }
        }
        return best;
    }

    /**
     * Whether {@code self} is one of the {@code k} designated holders of an owner's timer: the
     * top-{@code k} rendezvous winners among the live members and {@code self}, leaving out the
     * owner. Views that differ for a moment may disagree; the owner's re-sends cover that.
     */
    public boolean holds(int idHash, long self, long owner, int k) {
        return self != owner && rank(idHash, self, owner, k) < k;
    }

    /**
     * Where {@code member} ranks among an owner's holders for an id (0: the rendezvous winner):
     * how many live members other than the owner and itself outrank it, counted up to
     * {@code limit} (a rank of {@code limit} or more is returned as {@code limit}). Alive or not,
     * the member itself is left out, so after its death this is the rank it had.
     */
    public int rank(int idHash, long member, long owner, int limit) {
        long mine = score(member, idHash);
        int ahead = 0;
        for (int i = 0; i < size && ahead < limit; i++) {
            if (alive[i] && ids[i] != owner && ids[i] != member
                    && Long.compareUnsigned(score(ids[i], idHash), mine) > 0) {
                ahead++;
            }
        }
        return ahead;
    }

    /**
     * An owner's designated holders for an id: the top-{@code k} rendezvous winners among the
     * live members other than {@code owner}, best first, into {@code out}; returns how many
     * (fewer than k while fewer members live). No allocation.
     */
    public int holders(int idHash, long owner, int k, long[] out) {
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (!alive[i] || ids[i] == owner) {
                continue;
            }
            long s = score(ids[i], idHash);
            int at = n;
            while (at > 0 && Long.compareUnsigned(holderScores[at - 1], s) < 0) {
                at--;
            }
            if (at >= k) {
                continue;
            }
            for (int j = Math.min(n, k - 1); j > at; j--) {
                out[j] = out[j - 1];
                holderScores[j] = holderScores[j - 1];
            }
            out[at] = ids[i];
            holderScores[at] = s;
            if (n < k) {
                n++;
            }
        }
        return n;
    }

    /**
     * Where a canceller that does not know a timer's owner sends its KILL (unicast mode): the
     * top-{@code n} rendezvous winners for the id among the live members and {@code self}, self
     * left out, into {@code out}; returns how many. With {@code n = k + 1} they include every
     * designated holder of the timer whoever owns it (its holders are the top k of everyone but
     * the owner), so one of them holds a replica or owns it. No allocation.
     */
    public int killRoute(int idHash, long self, int n, long[] out) {
        int m = holders(idHash, self, n, out);
        if (m == n && Long.compareUnsigned(score(self, idHash), holderScores[n - 1]) > 0) {
            m--; // self ranks among the top n: one fewer other member
        }
        return m;
    }

    /** The owner's designated backup for an id: the live member that would adopt it; 0 if none. */
    public long backup(int idHash, long self) {
        long w = winner(idHash, self, self);
        return w == self ? 0 : w;
    }

    /** A well-mixed 64-bit weight of (member, id); the higher wins. */
    public static long score(long member, int idHash) {
        long v = member ^ (idHash * 0x9E3779B97F4A7C15L);
        v ^= v >>> 33;
        v *= 0xff51afd7ed558ccdL;
        v ^= v >>> 33;
        v *= 0xc4ceb9fe1a85ec53L;
        v ^= v >>> 33;
        return v;
    }
}
