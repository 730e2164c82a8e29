package io.wheelcast.engine.membership;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The member table's hash index, live count and detector deadline against a plain model: random
 * joins, heartbeats, silences, goodbyes and slot reuse (a full table reuses the oldest dead
 * member's slot), checked after every step. Failures print the seed and the step.
 */
class MembershipTest {
    private static final long TIMEOUT_MS = 3_500;
    private static final long INTERVAL_MS = 1_000;

    @Test
    void indexLiveCountAndDetectionMatchAModelThroughJoinsDeathsAndReuse() {
        for (long seed = 1; seed <= 20; seed++) {
            run(seed);
        }
    }

    private static void run(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int capacity = 1 + random.nextInt(40);
        Membership m = new Membership(capacity, TIMEOUT_MS, 500);
        Map<Long, Long> lastHeard = new HashMap<>(); // the model: member -> last heard, for live members
        List<Long> known = new ArrayList<>();
        Map<Long, Long> beats = new HashMap<>();
        long now = 1_000;
        for (int step = 0; step < 3_000; step++) {
            String where = "seed=" + seed + " capacity=" + capacity + " step=" + step;
            now += random.nextInt(200);
            int op = random.nextInt(10);
            if (op < 5 && !known.isEmpty()) { // a heartbeat from a known member
                long member = known.get(random.nextInt(known.size()));
                if (!m.hasLeft(member)) {
                    long beat = beats.merge(member, 1L, Long::sum);
                    Membership.Heard heard = m.heard(member, now, INTERVAL_MS, beat);
                    if (heard != Membership.Heard.TABLE_FULL && m.isAlive(member)) {
                        lastHeard.put(member, now);
                    }
                }
            } else if (op < 7) { // a new member
                long member = random.nextLong() | 1;
                Membership.Heard heard = m.heard(member, now, INTERVAL_MS, 1);
                if (heard == Membership.Heard.JOINED) {
                    known.add(member);
                    beats.put(member, 1L);
                    lastHeard.put(member, now);
                    known.removeIf(k -> k != member && m.timeoutMs(k) < 0); // its slot went to the newcomer
                } else {
                    assertThat(heard).as(where).isEqualTo(Membership.Heard.TABLE_FULL);
                    assertThat(lastHeard.size()).as("full only when every slot is alive: " + where).isEqualTo(capacity);
                }
            } else if (op < 8 && !known.isEmpty()) { // a goodbye
                long member = known.get(random.nextInt(known.size()));
                assertThat(m.left(member)).as(where).isEqualTo(lastHeard.remove(member) != null);
            } else { // the detector
                List<Long> died = new ArrayList<>();
                m.detect(now, died::add);
                for (Long d : died) {
                    Long heard = lastHeard.remove(d);
                    assertThat(heard).as("declared dead while not alive: " + where).isNotNull();
                }
                for (Map.Entry<Long, Long> e : lastHeard.entrySet()) {
                    assertThat(now - e.getValue()).as("missed by the detector: " + where)
                            .isLessThanOrEqualTo(m.timeoutMs(e.getKey()));
                }
            }
            assertThat(m.liveCount()).as(where).isEqualTo(lastHeard.size());
            for (long member : known) {
                assertThat(m.isAlive(member)).as(where + " member=" + member).isEqualTo(lastHeard.containsKey(member));
            }
        }
    }

    /** A member's rank is its place in the holder list, alive or (just) dead, whoever owns the timer. */
    /** {@code size} random members, each heard once at 1 s. */
    private static List<Long> heardFrom(Membership m, int size, SplittableRandom random) {
        List<Long> members = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            long member = random.nextLong() | 1;
            m.heard(member, 1_000, INTERVAL_MS, 1);
            members.add(member);
        }
        return members;
    }

    @Test
    void aMembersRankIsItsPlaceAmongTheHolders() {
        SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 200; round++) {
            Membership m = new Membership(64, TIMEOUT_MS, 500);
            int size = 1 + random.nextInt(30);
            List<Long> members = heardFrom(m, size, random);
            int hash = random.nextInt();
            long owner = random.nextBoolean() ? members.get(0) : 42; // a member, or this node (not in the table)
            int k = 1 + random.nextInt(5);
            long[] holders = new long[k];
            int n = m.holders(hash, owner, k, holders);
            String where = "round=" + round + " size=" + size + " k=" + k;
            for (long member : members) {
                if (member == owner) {
                    continue;
                }
                int at = -1;
                for (int i = 0; i < n; i++) {
                    if (holders[i] == member) {
                        at = i;
                    }
                }
                assertThat(m.rank(hash, member, owner, k)).as(where).isEqualTo(at < 0 ? k : at);
                assertThat(m.holds(hash, member, owner, k)).as(where).isEqualTo(at >= 0);
            }
            long gone = members.get(random.nextInt(size));
            int before = m.rank(hash, gone, owner, k);
            m.left(gone);
            assertThat(m.rank(hash, gone, owner, k)).as("a dead member keeps the rank it had: " + where).isEqualTo(before);
        }
    }

    /**
     * After a death, outcomes are re-announced only for timers the dead member may hold a copy
     * of (ranked under the limit among their holders), and only for a while: re-announcing every
     * timer after any death made each death cost every node five outcomes per finished timer.
     */
    @Test
    void aRecentlyDeadMemberMattersOnlyForTheIdsItHeld() {
        SplittableRandom random = new SplittableRandom(19);
        for (int round = 0; round < 200; round++) {
            Membership m = new Membership(64, TIMEOUT_MS, 500);
            int size = 2 + random.nextInt(30);
            List<Long> members = heardFrom(m, size, random);
            long owner = 42; // this node, not in the table
            int limit = 1 + random.nextInt(3);
            long gone = members.get(random.nextInt(size));
            int hash = random.nextInt();
            boolean held = m.rank(hash, gone, owner, limit) < limit;
            String where = "round=" + round + " size=" + size + " limit=" + limit;
            assertThat(m.anyRecentlyDeadHolder(hash, owner, limit, 2_000, 60_000)).as("nobody dead yet: " + where).isFalse();
            assertThat(m.confirmDead(gone, 5_000, 3_000, dead -> { })).as(where).isTrue();
            assertThat(m.anyRecentlyDeadHolder(hash, owner, limit, 5_000, 60_000)).as("dead, held: " + held + " " + where).isEqualTo(held);
            assertThat(m.anyRecentlyDeadHolder(hash, owner, limit, 61_001, 60_000)).as("a minute later: " + where).isFalse();
            assertThat(m.anyRecentlyDeadHolder(hash, gone, limit, 5_000, 60_000)).as("its own timer: " + where).isFalse();
        }
    }

    /**
     * A newcomer heard a few times without a gap on a network that loses 10% is not taken for
     * lossless: its timeout leans on the loss measured from every member (it was 3 intervals,
     * the lossless one, and at 1,000 nodes that made thousands of false suspicions a minute).
     * Without loss the timeout stays the configured one; with many members the accepted
     * chance of a false suspicion is per cluster, so timeouts grow a little with N.
     */
    @Test
    void aNewcomersTimeoutLeansOnTheNetworksLossAndTheClusterSize() {
        for (int members : new int[] {5, 299, 999}) {
            for (double loss : new double[] {0, 0.1}) {
                SplittableRandom random = new SplittableRandom(members);
                Membership m = new Membership(members + 1, TIMEOUT_MS, 500);
                long[] beats = new long[members];
                long now = 1_000;
                for (int second = 0; second < 60; second++, now += INTERVAL_MS) {
                    for (int j = 0; j < members; j++) {
                        beats[j]++;
                        if (second == 0 || random.nextDouble() >= loss) {
                            m.heard(j + 1, now, INTERVAL_MS, beats[j]);
                        }
                    }
                }
                long newcomer = 1L << 40;
                for (int beat = 1; beat <= 3; beat++, now += INTERVAL_MS) { // three heartbeats, none lost
                    m.heard(newcomer, now, INTERVAL_MS, beat);
                }
                String where = "members=" + members + " loss=" + loss + " network_loss=" + m.networkLoss()
                        + " newcomer_timeout_ms=" + m.timeoutMs(newcomer);
                if (loss == 0) {
                    assertThat(m.timeoutMs(newcomer)).as(where).isEqualTo(TIMEOUT_MS);
                } else {
                    double pairs = (members + 1.0) * members;
                    double accepted = Math.min(1e-6, 1e-3 / pairs);
                    // at most one interval short of what the true loss calls for (one interval: 10x the accepted chance)
                    long intervals = (m.timeoutMs(newcomer) - 500) / INTERVAL_MS;
                    long ideal = (long) Math.ceil(Math.log(accepted) / Math.log(loss));
                    assertThat(intervals).as(where + " ideal_intervals=" + ideal).isGreaterThanOrEqualTo(ideal - 1);
                    assertThat(m.networkLoss()).as("about 100 gaps smoothed: " + where).isBetween(0.04, 0.16);
                }
            }
        }
    }
}
