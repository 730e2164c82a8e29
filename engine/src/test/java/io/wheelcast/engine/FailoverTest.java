package io.wheelcast.engine;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Timers that survive their owner, on a simulated LAN in virtual time (deterministic from the
 * printed seed): crash, graceful leave, a pause longer than the failure timeout, a partition.
 * Every test counts, per timer id, how many nodes fired it, so a lost or doubled timer fails it.
 */
@Timeout(120) // a message storm fails the test instead of hanging the build
class FailoverTest {
    private static final int TIMERS = 10_000;
    private static final int NODES = 4;

    private static WheelcastNodeBuilder builder(boolean unicast) {
        return unicast ? SimulatedLan.unicast(WheelcastNode.builder()) : WheelcastNode.builder();
    }

    private static String id(int i) {
        return "job-" + i;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Delays spread over 1..20 s: some fire before the crash, some during detection, most after. */
    private static long delayOf(int i) {
        return 1_000 + (i * 7919L) % 19_000;
    }

    private static void armAll(SimulatedLan lan, int owner) {
        for (int i = 0; i < TIMERS; i++) {
            lan.node(owner).schedule(bytes(id(i)), delayOf(i), bytes("p" + i), new CompletableFuture<>(), lan.now);
            if (i % 100 == 99) {
                lan.run(1);
            }
        }
    }

    /** Node 0 arms the first {@code timers} ids at once, due {@code firstDelayMs} on, 3 ms apart. */
    private static void armSpread(SimulatedLan lan, int timers, long firstDelayMs) {
        for (int i = 0; i < timers; i++) {
            lan.node(0).schedule(bytes(id(i)), firstDelayMs + i * 3L, bytes("p" + i), new CompletableFuture<>(), lan.now);
        }
    }

    /** How many times each id fired, cluster-wide. */
    private static Map<String, Integer> fires(SimulatedLan lan) {
        Map<String, Integer> count = new HashMap<>();
        for (List<TimerExpiry> node : lan.expiries) {
            for (TimerExpiry e : node) {
                count.merge(e.idAsString(), 1, Integer::sum);
            }
        }
        return count;
    }

    private static String figures(long seed, SimulatedLan lan, Map<String, Integer> fires, Set<String> cancelled) {
        int lost = 0;
        int doubled = 0;
        int cancelledFired = 0;
        for (int i = 0; i < TIMERS; i++) {
            int n = fires.getOrDefault(id(i), 0);
            if (cancelled.contains(id(i))) {
                cancelledFired += n > 0 ? 1 : 0;
            } else if (n == 0) {
                lost++;
            } else if (n > 1) {
                doubled++;
            }
        }
        long adopted = 0;
        List<Long> late = new ArrayList<>();
        for (List<TimerExpiry> node : lan.expiries) {
            for (TimerExpiry e : node) {
                if (e.adopted()) {
                    adopted++;
                    late.add(e.lateByMs());
                }
            }
        }
        late.sort(null);
        long p99 = late.isEmpty() ? 0 : late.get((int) Math.min(late.size() - 1, Math.round(late.size() * 0.99)));
        long max = late.isEmpty() ? 0 : late.get(late.size() - 1);
        return "seed=" + Long.toHexString(seed) + " lost=" + lost + " doubled=" + doubled + " cancelled_fired=" + cancelledFired
                + " adopted_fired=" + adopted + " late_p99_ms=" + p99 + " late_max_ms=" + max
                + " datagrams=" + lan.sent + " dropped=" + lan.dropped;
    }

    private static String counts(SimulatedLan lan, Counter... which) {
        StringBuilder sb = new StringBuilder();
        for (Counter c : which) {
            sb.append(' ').append(c.name().toLowerCase()).append('=');
            for (int n = 0; n < lan.nodes.size(); n++) {
                sb.append(n == 0 ? "" : "/").append(lan.counters(n).get(c));
            }
        }
        return sb.toString();
    }

    /** Of the first {@code timers} ids: how many never fired, and how many fired more than once. */
    private static int[] lostAndDoubled(SimulatedLan lan, int timers) {
        Map<String, Integer> fires = fires(lan);
        int[] lostDoubled = new int[2];
        for (int i = 0; i < timers; i++) {
            int n = fires.getOrDefault(id(i), 0);
            lostDoubled[0] += n == 0 ? 1 : 0;
            lostDoubled[1] += n > 1 ? 1 : 0;
        }
        return lostDoubled;
    }

    private static void assertExactlyOnce(String figures) {
        assertThat(figures).as(figures).contains(" lost=0 ", " doubled=0 ", " cancelled_fired=0 ");
    }

    private static String whoFired(SimulatedLan lan, String id) {
        StringBuilder sb = new StringBuilder();
        for (int n = 0; n < lan.expiries.size(); n++) {
            for (TimerExpiry e : lan.expiries.get(n)) {
                if (e.idAsString().equals(id)) {
                    sb.append(" node").append(n).append(" deadline=").append(e.deadlineMs()).append(" fired_at=").append(e.firedAtMs())
                            .append(" adopted_from=").append(Long.toHexString(e.adoptedFromId()));
                }
            }
        }
        return sb.toString();
    }

    /** For each timer that fired twice: how long before {@code stopAt} (the owner's crash or pause) it was due. */
    private static List<Long> doubledDueMsBefore(SimulatedLan lan, long armedAt, long stopAt) {
        Map<String, Integer> fires = fires(lan);
        List<Long> due = new ArrayList<>();
        for (int i = 0; i < TIMERS; i++) {
            if (fires.getOrDefault(id(i), 0) > 1) {
                due.add(stopAt - (armedAt + i / 100 + delayOf(i)));
            }
        }
        return due;
    }

    /**
     * Exactly once, except the documented edge (docs/operations.md, "Guarantees"): a timer the
     * owner fired in the last instant before it stopped, whose FIRED was lost and not yet
     * re-sent, fires again on the adopter. "Last instant" here: due at most 100 ms before the stop.
     */
    private static void assertExactlyOnceButTheLastInstant(String figures, List<Long> doubledDueMsBeforeStop) {
        assertThat(figures).as(figures).contains(" lost=0 ", " cancelled_fired=0 ");
        assertThat(doubledDueMsBeforeStop).as(figures).allSatisfy(ms -> assertThat(ms).isBetween(0L, 100L));
    }

    private static long lateMax(String figures) {
        return Long.parseLong(figures.replaceAll(".* late_max_ms=(\\d+).*", "$1"));
    }

    /**
     * Node 0 arms {@link #TIMERS} timers, a tenth are cancelled while it lives and a tenth after it
     * crashes (1.5 s after arming); the survivors run 25 s. Returns the figures; fills in how long
     * before the crash each doubled timer was due.
     */
    private static String crashTheOwner(SimulatedLan lan, long seed, List<Long> doubledDueBeforeCrash) {
        lan.run(3_000); // members hear each other
        long armedAt = lan.now;
        armAll(lan, 0);
        lan.run(500);
        Map<String, CompletableFuture<CancelOutcome>> cancels = new HashMap<>();
        for (int i = 0; i < TIMERS; i += 10) { // cancelled while the owner lives
            cancels.put(id(i), new CompletableFuture<>());
            lan.node(1).cancel(bytes(id(i)), cancels.get(id(i)), lan.now);
        }
        lan.run(1_000);
        lan.crashed[0] = true;
        long crashAt = lan.now;
        lan.run(200);
        for (int i = 5; i < TIMERS; i += 10) { // cancelled after the crash, before anyone noticed, and before their deadline
            if (armedAt + i / 100 + delayOf(i) > lan.now + 100) {
                cancels.put(id(i), new CompletableFuture<>());
                lan.node(2).cancel(bytes(id(i)), cancels.get(id(i)), lan.now);
            }
        }
        lan.run(25_000);

        // A cancel answered CANCELLED must never fire; one answered UNCONFIRMED may (its kill may have come too late).
        Map<String, Integer> fires = fires(lan);
        Map<CancelOutcome.Status, Integer> answered = new java.util.EnumMap<>(CancelOutcome.Status.class);
        int confirmedFired = 0;
        for (Map.Entry<String, CompletableFuture<CancelOutcome>> c : cancels.entrySet()) {
            CancelOutcome.Status status = c.getValue().isDone() && !c.getValue().isCompletedExceptionally()
                    ? c.getValue().join().status() : null;
            answered.merge(status == null ? CancelOutcome.Status.UNCONFIRMED : status, 1, Integer::sum);
            if (status == CancelOutcome.Status.CANCELLED && fires.getOrDefault(c.getKey(), 0) > 0) {
                confirmedFired++;
                System.out.println("cancelled yet fired: " + c.getKey() + " answer=" + c.getValue().join()
                        + " crash_at=" + crashAt + " " + whoFired(lan, c.getKey()));
            }
        }
        for (int i = 0; i < TIMERS; i++) {
            if (!cancels.containsKey(id(i)) && !fires.containsKey(id(i))) {
                System.out.println("lost: " + id(i) + " due=" + (armedAt + i / 100 + delayOf(i)) + " crash_at=" + crashAt);
            }
        }
        String figures = figures(seed, lan, fires, cancels.keySet()) + " cancelled_confirmed_fired=" + confirmedFired
                + " cancel_answers=" + answered + counts(lan, Counter.MEMBERS_DEAD, Counter.MEMBERS_REVIVED, Counter.TIMERS_ADOPTED,
                Counter.TIMERS_ADOPTED_CANCELLED, Counter.TIMERS_YIELDED, Counter.ORPHANS_FORWARDED, Counter.REPLICAS_EXPIRED,
                Counter.SCHEDULE_RETRANSMITS, Counter.FRAMES_OUT_REPLICATED);
        // The one double the protocol cannot rule out: the owner fired a timer in its last ~100 ms
        // and its FIRED datagram was lost; survivors cannot tell that from "crashed before firing".
        doubledDueBeforeCrash.addAll(doubledDueMsBefore(lan, armedAt, crashAt));
        return figures + " doubled_due_ms_before_crash=" + doubledDueBeforeCrash;
    }

    /** k = 3 of 4 nodes is every other member: the replication of the multicast engine before bounded replicas. */
    @ParameterizedTest(name = "{0}% loss, k={1}, unicast={2}")
    @CsvSource({"0,2,false", "10,2,false", "30,2,false", "0,1,false", "10,1,false", "30,1,false", "10,3,false",
            "0,2,true", "10,2,true", "30,2,true", "10,1,true"})
    void crashedOwnersTimersFireExactlyOnceOnTheSurvivors(int lossPercent, int k, boolean unicast) {
        long seed = 0xFA11_0000L + lossPercent + 0x100L * k + (unicast ? 0x1000L : 0);
        SimulatedLan lan = new SimulatedLan(NODES, seed, lossPercent, 1, builder(unicast).replicas(k));
        List<Long> doubledDueBeforeCrash = new ArrayList<>();
        String figures = crashTheOwner(lan, seed, doubledDueBeforeCrash);
        System.out.println("failover crash: loss=" + lossPercent + "% k=" + k + " unicast=" + unicast + " " + figures);
        // At 30% loss too (defects 14 to 16 fixed; before, up to 10 of 10,000 were allowed to fire
        // twice or despite a cancel). A cancel sent after the crash may answer UNCONFIRMED at 30%
        // loss, and then its timer may fire; one answered CANCELLED never does.
        assertThat(figures).as(figures).contains(" lost=0 ", " cancelled_confirmed_fired=0 ");
        assertThat(doubledDueBeforeCrash).as(figures).allSatisfy(ms -> assertThat(ms).isBetween(0L, 100L));
        if (lossPercent <= 10) {
            assertExactlyOnceButTheLastInstant(figures, doubledDueBeforeCrash);
        }
        if (lossPercent <= 10) {
            assertThat(lan.counters(1).get(Counter.MEMBERS_DEAD)).as(figures).isEqualTo(1);
        } else {
            // At 30% loss a live member can miss enough heartbeats in a row to be suspected (8 of 40
            // seeds of this run, both before and after routed kills); the suspicion must be undone.
            assertThat(lan.counters(1).get(Counter.MEMBERS_DEAD) - lan.counters(1).get(Counter.MEMBERS_REVIVED))
                    .as("the owner's death, and every false suspicion undone: " + figures).isEqualTo(1);
        }
        // Detection bound: the adaptive timeout at this loss, plus the heartbeat interval before the crash, plus the settle.
        long timeout = 0;
        for (int n = 1; n < NODES; n++) {
            timeout = Math.max(timeout, lan.node(n).failureTimeoutOf(lan.node(0).nodeId()));
        }
        assertThat(lateMax(figures)).as(figures + " timeout_ms=" + timeout).isLessThanOrEqualTo(timeout + 1_100 + 100);
    }

    /**
     * The crash campaign's seeds that found defects 14 and 16 at 30% loss (docs/operations.md): a
     * cancel answered CANCELLED whose timer the backup adopted and fired (14: cancelled before the
     * backup's answer arrived, ca0001; 16: the backup forgot the cancel before a slow holder handed
     * its stale copy over, ca0007). Defect 15 (lost with an owner that crashed before any holder
     * had the copy) is RetryTimeoutsTest's.
     */
    @ParameterizedTest(name = "seed={0} k={1} unicast={2}")
    @CsvSource({"ca0001,2,true", "ca0007,2,true"})
    void crashCampaignSeedsThatFoundDefects(String seedHex, int k, boolean unicast) {
        long seed = Long.parseLong(seedHex, 16);
        SimulatedLan lan = new SimulatedLan(NODES, seed, 30, 1, builder(unicast).replicas(k));
        List<Long> doubledDueBeforeCrash = new ArrayList<>();
        String figures = crashTheOwner(lan, seed, doubledDueBeforeCrash);
        System.out.println("failover campaign seed: k=" + k + " unicast=" + unicast + " " + figures);
        assertThat(figures).as(figures).contains(" lost=0 ", " cancelled_confirmed_fired=0 ");
        assertThat(doubledDueBeforeCrash).as(figures).allSatisfy(ms -> assertThat(ms).isBetween(0L, 100L));
    }

    /**
     * The crash row over many seeds, to measure how often the last-instant double happens (off in
     * the build): {@code -Dwheelcast.failover.campaign=40 -Dwheelcast.failover.loss=30}.
     */
    @Test
    @Timeout(3_600)
    void crashCampaign() {
        int seeds = Integer.getInteger("wheelcast.failover.campaign", 0);
        Assumptions.assumeTrue(seeds > 0, "a campaign runs only when asked for");
        int lossPercent = Integer.getInteger("wheelcast.failover.loss", 30);
        int first = Integer.getInteger("wheelcast.failover.first", 0);
        for (String mode : System.getProperty("wheelcast.failover.modes", "2,false;1,false;2,true").split(";")) {
            int k = Integer.parseInt(mode.split(",")[0]);
            boolean unicast = Boolean.parseBoolean(mode.split(",")[1]);
            int lost = 0;
            int cancelledFired = 0;
            List<Long> due = new ArrayList<>();
            for (int s = first; s < first + seeds; s++) {
                long seed = 0xCA_0000L + s;
                System.out.println("failover campaign seed=" + Long.toHexString(seed));
                SimulatedLan lan = new SimulatedLan(NODES, seed, lossPercent, 1, builder(unicast).replicas(k));
                lan.traceId = System.getProperty("wheelcast.failover.trace");
                String figures = crashTheOwner(lan, seed, due);
                lost += Integer.parseInt(figures.replaceAll(".* lost=(\\d+) .*", "$1"));
                cancelledFired += Integer.parseInt(figures.replaceAll(".* cancelled_confirmed_fired=(\\d+) .*", "$1"));
                if (figures.contains(" doubled=0 ") && figures.contains(" lost=0 ") && figures.contains(" cancelled_confirmed_fired=0 ")) {
                    continue;
                }
                System.out.println("failover campaign: loss=" + lossPercent + "% k=" + k + " unicast=" + unicast + " " + figures);
            }
            due.sort(null);
            System.out.println("failover campaign total: loss=" + lossPercent + "% k=" + k + " unicast=" + unicast + " seeds=" + seeds
                    + " timers=" + (long) seeds * TIMERS + " lost=" + lost + " cancelled_confirmed_fired=" + cancelledFired
                    + " doubled=" + due.size() + " doubled_due_ms_before_crash=" + due);
        }
    }

    @Test
    void gracefulLeaveHandsTimersOverWithoutWaitingForDetection() {
        long seed = 0x1EA7E;
        SimulatedLan lan = new SimulatedLan(NODES, seed, 0, 1, WheelcastNode.builder());
        lan.run(3_000);
        armAll(lan, 0);
        lan.run(500);
        lan.node(0).close();
        lan.crashed[0] = true; // gone after its goodbye
        long leftAt = lan.now;
        lan.run(100);
        long adopted = 0;
        for (int n = 1; n < NODES; n++) {
            adopted += lan.counters(n).get(Counter.TIMERS_ADOPTED);
        }
        int firedBefore = lan.expiries.get(0).size();
        assertThat(adopted).as("adopted within 100 ms of the goodbye").isEqualTo(TIMERS - firedBefore);
        lan.run(25_000);
        String figures = figures(seed, lan, fires(lan), Set.of());
        System.out.println("failover leave: " + figures + " left_at=" + leftAt);
        assertExactlyOnce(figures);
        assertThat(lateMax(figures)).as(figures).isLessThan(100);
    }

    /**
     * SIGSTOP for longer than the failure timeout, then SIGCONT: the others adopt its timers;
     * the node, back, must learn that and fire none of them a second time, and must not declare
     * the others dead for the silence it caused itself.
     */
    @ParameterizedTest(name = "{0}% loss, k={1}, unicast={2}")
    @CsvSource({"0,2,false", "10,2,false", "0,1,false", "10,1,false", "10,3,false", "10,2,true", "10,1,true"})
    void pausedOwnerYieldsToItsAdoptersAndSuspectsNoOne(int lossPercent, int k, boolean unicast) {
        long seed = 0x9A05E_000L + lossPercent + 0x100L * k + (unicast ? 0x1000L : 0);
        SimulatedLan lan = new SimulatedLan(NODES, seed, lossPercent, 1, builder(unicast).replicas(k));
        lan.run(3_000);
        long armedAt = lan.now;
        armAll(lan, 0);
        lan.run(1_000);
        long pausedAt = lan.now;
        lan.paused[0] = true;
        lan.run(8_000); // well past the failure timeout: the others take over
        long adopted = 0;
        for (int n = 1; n < NODES; n++) {
            adopted += lan.counters(n).get(Counter.TIMERS_ADOPTED);
        }
        assertThat(adopted).isPositive();
        lan.resume(0);
        lan.run(20_000);
 String figures = figures(seed, lan, fires(lan), Set.of()) + counts(lan, Counter.MEMBERS_DEAD, Counter.MEMBERS_REVIVED,
                Counter.TIMERS_ADOPTED, Counter.TIMERS_YIELDED, Counter.TIMERS_FIRED_ELSEWHERE);
        System.out.println("failover pause: loss=" + lossPercent + "% k=" + k + " unicast=" + unicast + " " + figures + " adopted=" + adopted
                + " yielded=" + lan.counters(0).get(Counter.TIMERS_YIELDED)
                + " fired_elsewhere=" + lan.counters(0).get(Counter.TIMERS_FIRED_ELSEWHERE));
        assertExactlyOnceButTheLastInstant(figures, doubledDueMsBefore(lan, armedAt, pausedAt));
        assertThat(lan.counters(0).get(Counter.PAUSES_DETECTED)).isEqualTo(1);
        assertThat(lan.counters(0).get(Counter.MEMBERS_DEAD)).as("the paused node suspects no one").isZero();
        long declaredDead = 0;
        for (int n = 1; n < NODES; n++) {
            // Each survivor's timeout adapts to the loss it measured, so not all need have judged it dead.
            assertThat(lan.counters(n).get(Counter.MEMBERS_DEAD)).as("node %d: only the paused one, at most once", n).isLessThanOrEqualTo(1);
            assertThat(lan.counters(n).get(Counter.MEMBERS_REVIVED)).isEqualTo(lan.counters(n).get(Counter.MEMBERS_DEAD));
            declaredDead += lan.counters(n).get(Counter.MEMBERS_DEAD);
        }
        assertThat(declaredDead).isPositive();
    }

    /**
     * Defect 18 (ProcessFailoverTest's SIGSTOP in a clean-clone CI run with the other CPU busy:
     * 148 of 10,000 timers fired twice): the resumed owner's quarantine (failure timeout + one
     * interval, 1.25 s with that test's 250 ms heartbeats) ended while the starved adopters were
     * still telling it which timers they had fired, and it fired the rest again. Here the owner's
     * socket backlog is lost (a full buffer), and the adopters' FIRED re-sends reach the owner through 85% loss for the first 1.4 s after it
     * resumes, so each of their waves (at 0, 50, 150, 350, 750 and 1,550 ms) tells it of a
     * few: the quarantine now lasts while they keep telling.
     */
    @ParameterizedTest(name = "unicast={0}")
    @ValueSource(booleans = {false, true})
    void aResumedOwnerWaitsWhileItsAdoptersAreStillTellingItWhatTheyFired(boolean unicast) {
        long seed = 0xDEF18L + (unicast ? 1 : 0);
        SimulatedLan lan = new SimulatedLan(NODES, seed, 0, 1, builder(unicast)
                .heartbeatInterval(java.time.Duration.ofMillis(250)).failureTimeout(java.time.Duration.ofMillis(1_000)));
        lan.run(3_000);
        long armedAt = lan.now;
        armAll(lan, 0);
        lan.run(1_000);
        long pausedAt = lan.now;
        lan.paused[0] = true;
        lan.lose = (to, d) -> to == 0; // its socket buffer overflowed meanwhile: the backlog is gone
        lan.run(8_000);
        java.util.SplittableRandom drop = new java.util.SplittableRandom(seed);
        long resumedAt = lan.now;
        lan.lose = (to, d) -> d != null && to == 0 && lan.now < resumedAt + 1_400
                && d.frames().stream().anyMatch(f -> f instanceof io.wheelcast.codec.Frame.Fired) && drop.nextInt(100) < 85;
        lan.resume(0);
        lan.run(20_000);
        String figures = figures(seed, lan, fires(lan), Set.of()) + counts(lan, Counter.TIMERS_ADOPTED, Counter.TIMERS_YIELDED,
                Counter.TIMERS_FIRED_ELSEWHERE, Counter.PAUSES_DETECTED);
        System.out.println("failover resume into a slow stream of outcomes: unicast=" + unicast + " " + figures);
        assertExactlyOnceButTheLastInstant(figures, doubledDueMsBefore(lan, armedAt, pausedAt));
    }

    /**
     * A partition longer than the failure timeout. Default (takeover on): at-least-once, the
     * owner's side and the other side both fire the timers due during the partition, none is
     * lost. Takeover off: at-most-once, only the owner fires, nothing twice.
     */
    @ParameterizedTest(name = "takeover={0}, k={1}, unicast={2}")
    @CsvSource({"true,2,false", "false,2,false", "true,1,false", "true,2,true", "false,2,true"})
    void partitionGivesTheDocumentedGuarantee(boolean takeover, int k, boolean unicast) {
        long seed = 0x5B117L;
        SimulatedLan lan = new SimulatedLan(NODES, seed, 0, 1, builder(unicast).takeover(takeover).replicas(k));
        lan.run(3_000);
        armAll(lan, 0);
        lan.run(1_000);
        lan.side[2] = 1;
        lan.side[3] = 1;
        lan.run(10_000); // timers due in here fire on the owner's side; with takeover, on the other side too
        lan.side[2] = 0;
        lan.side[3] = 0;
        lan.run(20_000);
        Map<String, Integer> fires = fires(lan);
        String figures = figures(seed, lan, fires, Set.of());
        System.out.println("failover partition: takeover=" + takeover + " " + figures);
        assertThat(figures).as(figures).contains(" lost=0 ");
        if (takeover) {
            assertThat(figures).as("at-least-once across a partition: some fire on both sides").doesNotContain(" doubled=0 ");
        } else {
            assertThat(figures).as(figures).contains(" doubled=0 ", " adopted_fired=0 ");
        }
    }

    /**
     * Found by the nemesis run (scripts/chaos.sh, seed 1, job c1-4): an id reused on another
     * node while a partition cut off the node that had adopted and fired the id's previous life.
     * After the heal that node (1) re-sent the previous life's FIRED, which the new owner took
     * for its own timer and finished it without firing (a lost email), and (2) answered a cancel
     * of the new timer from its record of the old one, ALREADY_FIRED, before the new owner's
     * CANCELLED (the user was told 409 and never emailed). An outcome now names the owner of
     * record of the timer it ends, and an adopter leaves kills to the owner once it is back.
     */
    @ParameterizedTest(name = "cancel the second life: {0}")
    @ValueSource(booleans = {false, true})
    void aReusedIdIsNotEndedOrAnsweredForByItsPreviousLife(boolean cancelSecondLife) {
        long seed = 0x5EED_C140L;
        SimulatedLan lan = new SimulatedLan(5, seed, 0, 1, WheelcastNode.builder().replicas(4));
        lan.traceId = System.getProperty("traceId");
        lan.run(3_000);
        long start = lan.now;
        lan.node(0).schedule(bytes("reused"), 6_000, null, new CompletableFuture<>(), lan.now);
        lan.run(500);
        lan.side[3] = 1; // node 3 alone: it adopts and fires the first life too (at-least-once)
        lan.run(start + 12_000 - lan.now); // past the first life's deadline and its replicas' grace
        CompletableFuture<ScheduleOutcome> second = new CompletableFuture<>();
        lan.node(4).schedule(bytes("reused"), 10_000, null, second, lan.now); // the id reused, on the majority side
        lan.run(1);
        assertThat(second.join()).as("the id is free again").isEqualTo(ScheduleOutcome.ARMED);
        lan.run(start + 14_000 - lan.now);
        lan.side[3] = 0; // healed: node 3 tells the first life's owner that it fired it, a few times, to everyone
        lan.run(3_000);
        CompletableFuture<CancelOutcome> cancel = new CompletableFuture<>();
        if (cancelSecondLife) {
            lan.node(2).cancel(bytes("reused"), cancel, lan.now);
        }
        lan.run(12_000);
        int secondLife = 0;
        for (TimerExpiry e : lan.expiries.get(4)) {
            secondLife += e.idAsString().equals("reused") ? 1 : 0;
        }
        String figures = "seed=" + Long.toHexString(seed) + " second_life_fired_on_node4=" + secondLife
                + " cancel=" + (cancelSecondLife ? cancel.join() : "none")
                + counts(lan, Counter.TIMERS_FIRED, Counter.TIMERS_ADOPTED, Counter.TIMERS_FIRED_ELSEWHERE,
                Counter.OUTCOMES_OF_OTHER_LIVES, Counter.KILLS_LEFT_TO_OWNER, Counter.MEMBERS_REVIVED);
        System.out.println("failover reused id: " + figures);
        assertThat(lan.counters(4).get(Counter.TIMERS_FIRED_ELSEWHERE)).as(figures).isZero();
        if (cancelSecondLife) {
            assertThat(cancel.join()).as(figures).isEqualTo(new CancelOutcome(CancelOutcome.Status.CANCELLED, lan.node(4).nodeId()));
            assertThat(secondLife).as("cancelled: " + figures).isZero();
        } else {
            assertThat(secondLife).as("the second life fires on its owner: " + figures).isEqualTo(1);
        }
    }

    /**
     * A replica kept past its grace had its wheel deadline moved on, and the deadline was also
     * where the timer's due was read from: a hand-over re-sent after the grace said the timer was
     * just due, not 5 s overdue, so an adopter that had heard the owner settle it (and dropped its
     * own copy, its FIRED lost) took it for a timer the owner never reached and fired it again.
     * Found tracing a FailoverTest double at 10% loss while fixing defect 10. Here: every FIRED of
     * the timer is lost; one holder stops hearing the owner at the deadline, so it declares the
     * owner dead and hands the timer over, and its hand-overs go unanswered until its grace
     * passed; the owner lives 3 s past the deadline, then crashes. The adopter must presume fired.
     */
    @ParameterizedTest(name = "unicast={0}")
    @ValueSource(booleans = {false, true})
    void aHandOverRetriedPastTheGraceSaysHowOverdueTheTimerIs(boolean unicast) {
        long seed = 0x6_4ACEL;
        SimulatedLan lan = new SimulatedLan(5, seed, 0, 1, builder(unicast).replicas(3));
        lan.traceId = System.getProperty("traceId");
        String timer = "overdue";
        int hash = io.wheelcast.codec.IdBytes.hash(bytes(timer), 0, timer.length());
        List<Integer> ranked = new ArrayList<>(List.of(1, 2, 3, 4)); // the owner's holders, best first
        ranked.sort((a, b) -> Long.compareUnsigned(
                io.wheelcast.engine.membership.Membership.score(SimulatedLan.NODE_ID_BASE + b, hash),
                io.wheelcast.engine.membership.Membership.score(SimulatedLan.NODE_ID_BASE + a, hash)));
        int adopter = ranked.get(0);
        int cutOff = ranked.get(1); // stops hearing the owner at the deadline
        long due = lan.now + 3_000 + 2_000;
        long graceOver = due + 5_000;
        lan.lose = (to, d) -> d != null && (SimulatedLan.carries(d, io.wheelcast.codec.Frame.Fired.class, timer)
                || (to == cutOff && d.senderId() == SimulatedLan.NODE_ID_BASE && lan.now >= due - 20)
                || (to == adopter && d.senderId() == SimulatedLan.NODE_ID_BASE + cutOff && lan.now < graceOver + 2_500
                    && SimulatedLan.carries(d, io.wheelcast.codec.Frame.Schedule.class, timer)));
        lan.run(3_000);
        lan.node(0).schedule(bytes(timer), 2_000, null, new CompletableFuture<>(), lan.now);
        lan.run(5_000); // fired on its owner 3 s ago: the adopter drops its copy at the grace, the owner still alive
        lan.crashed[0] = true;
        lan.run(20_000);
        int fired = 0;
        for (List<TimerExpiry> node : lan.expiries) {
            for (TimerExpiry e : node) {
                fired += e.idAsString().equals(timer) ? 1 : 0;
            }
        }
        String figures = "seed=" + Long.toHexString(seed) + " unicast=" + unicast + " adopter=" + adopter + " cut_off=" + cutOff
                + " fired=" + fired + counts(lan, Counter.TIMERS_FIRED, Counter.TIMERS_ADOPTED, Counter.ORPHANS_FORWARDED,
                Counter.TAKEOVERS_PRESUMED_FIRED, Counter.REPLICAS_EXPIRED);
        System.out.println("failover overdue hand-over: " + figures);
        assertThat(lan.counters(cutOff).get(Counter.ORPHANS_FORWARDED)).as("the hand-over was re-sent: " + figures).isGreaterThan(1);
        assertThat(fired).as("fired once, by its owner: " + figures).isEqualTo(1);
        assertThat(lan.expiries.get(0)).as(figures).hasSize(1);
    }

    /**
     * Chaos run seed 7 (c7-61): an owner fired its timer, one holder missed the FIRED, and a
     * later fault (here a partition) cut the owner off from that holder. The holder knew the
     * owner was alive well past the deadline, but it was not the adopter: it handed the timer
     * over with its remaining delay clamped to 0, so the adopter (which had missed the
     * SCHEDULE) saw a timer just due and fired it a second time. A holder that heard the owner
     * after the deadline now presumes it fired, and a hand-over carries how overdue it is.
     */
    @ParameterizedTest(name = "unicast={0}")
    @ValueSource(booleans = {false, true})
    void aTimerItsOwnerFiredIsNotHandedOverAsJustDue(boolean unicast) {
        long seed = 0xC7_61L;
        SimulatedLan lan = new SimulatedLan(5, seed, 0, 1, builder(unicast).replicas(3));
        lan.traceId = System.getProperty("traceId");
        String timer = "stale";
        int hash = io.wheelcast.codec.IdBytes.hash(bytes(timer), 0, timer.length());
        List<Integer> ranked = new ArrayList<>(List.of(1, 2, 3, 4)); // the owner's holders, best first
        ranked.sort((a, b) -> Long.compareUnsigned(
                io.wheelcast.engine.membership.Membership.score(SimulatedLan.NODE_ID_BASE + b, hash),
                io.wheelcast.engine.membership.Membership.score(SimulatedLan.NODE_ID_BASE + a, hash)));
        int backup = ranked.get(0);
        int adopter = ranked.get(1); // ranks above the stale holder, but never got the SCHEDULE
        int staleHolder = ranked.get(2); // holds it, and never hears that it fired
        long armedAt = lan.now + 3_000;
        lan.lose = (to, d) -> (to == adopter && lan.now < armedAt + 1_000 // the owner's sends, not a later hand-over
                && SimulatedLan.carries(d, io.wheelcast.codec.Frame.Schedule.class, timer))
                || (to == staleHolder && SimulatedLan.carries(d, io.wheelcast.codec.Frame.Fired.class, timer));
        lan.run(3_000);
        lan.node(0).schedule(bytes(timer), 2_000, null, new CompletableFuture<>(), lan.now);
        lan.run(3_000); // fired on its owner a second ago
        lan.side[0] = 1;
        lan.side[backup] = 1; // the owner and the holder it told, cut off from the others
        lan.run(10_000);
        int fired = 0;
        for (List<TimerExpiry> node : lan.expiries) {
            for (TimerExpiry e : node) {
                fired += e.idAsString().equals(timer) ? 1 : 0;
            }
        }
        String figures = "seed=" + Long.toHexString(seed) + " unicast=" + unicast + " backup=" + backup + " adopter=" + adopter
                + " stale_holder=" + staleHolder + " fired=" + fired
                + counts(lan, Counter.TIMERS_FIRED, Counter.TIMERS_ADOPTED, Counter.ORPHANS_FORWARDED, Counter.TAKEOVERS_PRESUMED_FIRED);
        System.out.println("failover stale holder: " + figures);
        assertThat(fired).as("fired once, by its owner: " + figures).isEqualTo(1);
        assertThat(lan.expiries.get(0)).as(figures).hasSize(1);
    }

    /**
     * Defect 17 (the LAN integration test's host kill at 10% loss, with the other CPU busy): a job
     * its owner had emailed before it was SIGKILLed was cancelled through a survivor afterwards,
     * and the DELETE answered 404. The survivors holding its copy knew it had fired (its FIRED
     * had reached them), but a finished copy never answered a KILL: only its owner does, and the
     * owner was dead. Now a holder answers a kill of a finished copy once its owner is dead or
     * silent, and the canceller takes that answer (or its own finished copy's) when no owner
     * answered within its 2 s budget: before the death is detected too.
     */
    @ParameterizedTest(name = "unicast={0} cancelled {1} ms after the crash")
    @CsvSource({"false,100", "true,100", "false,12000", "true,12000"})
    void aDeadOwnersFinishedTimerIsAnsweredForByTheNodesThatSawItEnd(boolean unicast, long cancelAfterCrashMs) {
        long seed = 0xDEF17L + (unicast ? 1 : 0) + cancelAfterCrashMs;
        SimulatedLan lan = new SimulatedLan(NODES, seed, 0, 1, builder(unicast));
        lan.run(3_000);
        int timers = 200;
        armSpread(lan, timers, 1_000);
        lan.run(500);
        for (int i = 0; i < timers; i += 2) { // the owner cancels every other one itself
            lan.node(0).cancel(bytes(id(i)), new CompletableFuture<>(), lan.now);
        }
        lan.run(4_000); // the rest fire; every outcome reaches the holders
        lan.crashed[0] = true;
        lan.run(cancelAfterCrashMs); // soon: before the death is detected, the owner only silent (the LAN test's case)
        List<CompletableFuture<CancelOutcome>> cancels = new ArrayList<>();
        for (int i = 0; i < timers; i++) {
            cancels.add(new CompletableFuture<>());
            lan.node(1 + i % (NODES - 1)).cancel(bytes(id(i)), cancels.get(i), lan.now);
        }
        lan.run(10_000);
        Map<CancelOutcome.Status, Integer> answers = new java.util.EnumMap<>(CancelOutcome.Status.class);
        int wrong = 0;
        for (int i = 0; i < timers; i++) {
            CancelOutcome.Status status = cancels.get(i).isDone() ? cancels.get(i).join().status() : null;
            if (status != null) {
                answers.merge(status, 1, Integer::sum);
            }
            wrong += status == (i % 2 == 0 ? CancelOutcome.Status.CANCELLED : CancelOutcome.Status.ALREADY_FIRED) ? 0 : 1;
        }
        Map<String, Integer> fires = fires(lan);
        int firedWrongly = 0;
        for (int i = 0; i < timers; i++) {
            firedWrongly += fires.getOrDefault(id(i), 0) != (i % 2 == 0 ? 0 : 1) ? 1 : 0;
        }
        String figures = "seed=" + Long.toHexString(seed) + " answers=" + answers + " wrong=" + wrong
                + " fired_not_once_or_cancelled_fired=" + firedWrongly + counts(lan, Counter.KILLS_ANSWERED_FOR_DEAD_OWNER, Counter.TIMERS_ADOPTED);
        System.out.println("failover answers for a dead owner: unicast=" + unicast + " after_crash_ms=" + cancelAfterCrashMs + " " + figures);
        assertThat(wrong).as(figures).isZero();
        assertThat(firedWrongly).as(figures).isZero();
    }

    /**
     * Defect 19 (seed ca0001 of the crash campaign once the simulator delivered node by node):
     * the owner's cancel reached one holder and missed the other five times (30% loss), the
     * owner crashed, and the one that missed it adopted the timer: it asked twice, the holder
     * that knew answered once, that answer was lost too, and the cancelled timer fired. An
     * adopter now waits for each designated holder's answer before it fires an adopted timer
     * ({@link Replication#ADOPTION_ASKS} sends at most). Here every outcome to the adopter-to-be
     * is lost, and the first two answers to it of each id's other holder.
     */
    @ParameterizedTest(name = "unicast={0}")
    @ValueSource(booleans = {false, true})
    void anAdopterThatMissedTheCancelWaitsForTheHolderThatSawIt(boolean unicast) {
        long seed = 0xDEF19L + (unicast ? 1 : 0);
        SimulatedLan lan = new SimulatedLan(NODES, seed, 0, 1, builder(unicast));
        int timers = 100;
        Map<String, Integer> adopterOf = new HashMap<>();
        for (int i = 0; i < timers; i++) {
            byte[] id = bytes(id(i));
            int hash = io.wheelcast.codec.IdBytes.hash(id, 0, id.length);
            int best = 1;
            for (int n = 2; n < NODES; n++) {
                if (Long.compareUnsigned(io.wheelcast.engine.membership.Membership.score(SimulatedLan.NODE_ID_BASE + n, hash),
                        io.wheelcast.engine.membership.Membership.score(SimulatedLan.NODE_ID_BASE + best, hash)) > 0) {
                    best = n;
                }
            }
            adopterOf.put(id(i), best);
        }
        Map<String, Integer> answersLost = new HashMap<>();
        long owner = SimulatedLan.NODE_ID_BASE;
        lan.lose = (to, d) -> { // by datagram: one that also carries another id's outcome gets through
            if (d == null) {
                return false;
            }
            int outcomes = 0;
            int lost = 0;
            for (io.wheelcast.codec.Frame f : d.frames()) {
                if (!(f instanceof io.wheelcast.codec.Frame.KillAck) && !(f instanceof io.wheelcast.codec.Frame.Fired)) {
                    continue;
                }
                outcomes++;
                String id = new String(SimulatedLan.idOf(f), StandardCharsets.UTF_8);
                if (adopterOf.containsKey(id) && adopterOf.get(id) == (int) to
                        && (d.senderId() == owner || answersLost.merge(id, 1, Integer::sum) <= 2)) {
                    lost++; // the owner's word never reaches the adopter-to-be, nor the first two answers of the holder that knew
                }
            }
            return outcomes > 0 && lost == outcomes;
        };
        lan.run(3_000);
        for (int i = 0; i < timers; i++) {
            // due after the crash, before its detection: overdue when adopted, fired after the adoption's settling
            lan.node(0).schedule(bytes(id(i)), 4_000 + i * 10L, bytes("p" + i), new CompletableFuture<>(), lan.now);
        }
        lan.run(500);
        List<CompletableFuture<CancelOutcome>> cancels = new ArrayList<>();
        for (int i = 0; i < timers; i++) { // 10 ms apart: each outcome in datagrams of its own
            cancels.add(new CompletableFuture<>());
            lan.node(0).cancel(bytes(id(i)), cancels.get(i), lan.now);
            lan.run(10);
        }
        lan.run(1_500);
        lan.crashed[0] = true;
        lan.run(20_000);
        Map<String, Integer> fires = fires(lan);
        int cancelledFired = 0;
        for (int i = 0; i < timers; i++) {
            boolean cancelled = cancels.get(i).isDone() && cancels.get(i).join().status() == CancelOutcome.Status.CANCELLED;
            cancelledFired += cancelled && fires.containsKey(id(i)) ? 1 : 0;
        }
        String figures = "seed=" + Long.toHexString(seed) + " cancelled_fired=" + cancelledFired + " fired=" + fires.size()
                + counts(lan, Counter.TIMERS_ADOPTED, Counter.TIMERS_ADOPTED_CANCELLED, Counter.ADOPTIONS_DEFERRED);
        System.out.println("failover adopter that missed the cancel: unicast=" + unicast + " " + figures);
        assertThat(cancels).as(figures).allSatisfy(c -> assertThat(c).isCompleted());
        assertThat(cancelledFired).as(figures).isZero();
        long deferred = 0;
        for (int n = 0; n < NODES; n++) {
            deferred += lan.counters(n).get(Counter.ADOPTIONS_DEFERRED);
        }
        assertThat(deferred).as("the case arose: adopters waited for an answer " + figures).isPositive();
    }

    /**
     * The other side of defect 17's fix: a holder's word for a dead owner is only the canceller's
     * fallback. Here the id was armed again by another node (node 3) after its first life ended
     * and that life's owner died; node 2 never heard the new SCHEDULE, so it still answers for the
     * old life that it fired, to node 1's kills (multicast) and as the canceller of half the ids.
     * The new owner's CANCELLED must win, and the new life never fire.
     */
    @ParameterizedTest(name = "unicast={0}")
    @ValueSource(booleans = {false, true})
    void aHoldersAnswerForADeadOwnerDoesNotOverruleTheOwnerOfTheIdsNextLife(boolean unicast) {
        long seed = 0xDEF17AL + (unicast ? 1 : 0);
        SimulatedLan lan = new SimulatedLan(NODES, seed, 0, 1, builder(unicast));
        lan.run(3_000);
        int timers = 100;
        armSpread(lan, timers, 1_000);
        lan.run(4_000); // all fired; the holders saw it
        lan.crashed[0] = true;
        lan.run(lan.node(1).failureTimeoutOf(lan.node(0).nodeId()) * 3);
        long nextLife = SimulatedLan.NODE_ID_BASE + 3;
        lan.lose = (to, d) -> d != null && to == 2 && d.senderId() == nextLife
                && d.frames().stream().anyMatch(f -> f instanceof io.wheelcast.codec.Frame.Schedule);
        for (int i = 0; i < timers; i++) {
            lan.node(3).schedule(bytes(id(i)), 5_000, bytes("again" + i), new CompletableFuture<>(), lan.now);
        }
        lan.run(500);
        List<CompletableFuture<CancelOutcome>> cancels = new ArrayList<>();
        for (int i = 0; i < timers; i++) {
            cancels.add(new CompletableFuture<>());
            lan.node(1 + i % 2).cancel(bytes(id(i)), cancels.get(i), lan.now); // node 2 cancels with its stale record at hand
        }
        lan.run(15_000);
        int notCancelled = 0;
        for (CompletableFuture<CancelOutcome> c : cancels) {
            notCancelled += c.isDone() && c.join().cancelled() ? 0 : 1;
        }
        int firedTwice = 0;
        Map<String, Integer> fires = fires(lan);
        for (int i = 0; i < timers; i++) {
            firedTwice += fires.getOrDefault(id(i), 0) != 1 ? 1 : 0;
        }
        String figures = "seed=" + Long.toHexString(seed) + " not_answered_cancelled=" + notCancelled + " next_life_fired_or_first_not_once="
                + firedTwice + counts(lan, Counter.KILLS_ANSWERED_FOR_DEAD_OWNER, Counter.CANCELS_CANCELLED);
        System.out.println("failover dead owner's word vs the next life: unicast=" + unicast + " " + figures);
        if (!unicast) { // routed kills reach node 2 only as the canceller there
            assertThat(lan.counters(2).get(Counter.KILLS_ANSWERED_FOR_DEAD_OWNER)).as("node 2 must answer for the old life: " + figures)
                    .isPositive();
        }
        assertThat(notCancelled).as(figures).isZero();
        assertThat(firedTwice).as(figures).isZero();
    }

    /**
     * Defect 14 (the crash campaign of this class, unicast k = 2 at 30% loss: 13 of 200,000 timers
     * fired although their cancel answered CANCELLED): a timer cancelled before its owner heard
     * its designated backup acknowledge the copy (the answers were lost) had no holder to tell
     * reliably. The KILL_ACK went to the holders once, was lost on the way to the backup, and the
     * backup adopted and fired the cancelled timer when the owner crashed. Here every answer to the
     * owner's SCHEDULEs is lost until the cancels, and every first KILL_ACK to the holders.
     */
    @ParameterizedTest(name = "unicast={0}")
    @ValueSource(booleans = {false, true})
    void aTimerCancelledBeforeItsBackupsAnswerArrivedIsNotRevivedByTheBackup(boolean unicast) {
        long seed = 0xDEF14L + (unicast ? 1 : 0);
        SimulatedLan lan = new SimulatedLan(NODES, seed, 0, 1, builder(unicast));
        lan.run(3_000);
        int timers = 200;
        long cancelAt = lan.now + 200;
        long crashAt = cancelAt + 1_000;
        // and the canceller's answers to the adopter's announcements, which would have saved it
        lan.lose = (to, d) -> d != null
                && ((to == 0 && lan.now < cancelAt && d.frames().stream().anyMatch(f -> f instanceof io.wheelcast.codec.Frame.Replicated))
                || (to >= 2 && lan.now < cancelAt + 5 && d.frames().stream().anyMatch(f -> f instanceof io.wheelcast.codec.Frame.KillAck))
                || (to >= 2 && lan.now >= crashAt && d.senderId() == SimulatedLan.NODE_ID_BASE + 1
                    && d.frames().stream().anyMatch(f -> f instanceof io.wheelcast.codec.Frame.KillAck || f instanceof io.wheelcast.codec.Frame.Kill)));
        armSpread(lan, timers, 5_000);
        lan.run(cancelAt - lan.now);
        List<CompletableFuture<CancelOutcome>> cancels = new ArrayList<>();
        for (int i = 0; i < timers; i++) {
            cancels.add(new CompletableFuture<>());
            lan.node(1).cancel(bytes(id(i)), cancels.get(i), lan.now);
        }
        lan.run(crashAt - lan.now);
        lan.crashed[0] = true;
        lan.run(30_000);
        int answeredCancelled = 0;
        for (CompletableFuture<CancelOutcome> c : cancels) {
            answeredCancelled += c.isDone() && c.join().cancelled() ? 1 : 0;
        }
        int fired = timers - lostAndDoubled(lan, timers)[0];
        String figures = "seed=" + Long.toHexString(seed) + " answered_cancelled=" + answeredCancelled + " fired=" + fired
                + counts(lan, Counter.TIMERS_ADOPTED, Counter.TIMERS_ADOPTED_CANCELLED, Counter.SCHEDULE_RETRANSMITS);
        System.out.println("failover cancelled before the backup's answer: unicast=" + unicast + " " + figures);
        assertThat(answeredCancelled).as(figures).isEqualTo(timers);
        assertThat(fired).as(figures).isZero();
    }

    /**
     * Defect 13 (SimulatedNemesisTest, multicast seed 10): the adopter-to-be detects the owner's
     * death seconds after the other holders (a loss burst it went through lengthened its
     * timeout). Their hand-overs reach it while it still hears the owner alive: it answers that
     * it holds the timer, and they dropped their copies at the grace. It crashed before its own
     * detector fired: lost. A hand-over now tells the adopter-to-be the owner is dead if it has
     * not heard the owner for most of a timeout either: it adopts at once.
     */
    @ParameterizedTest(name = "unicast={0}")
    @ValueSource(booleans = {false, true})
    void anAdopterToBeThatDiesBeforeItsSlowerDetectorFiresLosesNoTimer(boolean unicast) {
        long seed = 0xDEF13L + (unicast ? 1 : 0);
        SimulatedLan lan = new SimulatedLan(NODES, seed, 0, 1, builder(unicast));
        lan.run(3_000);
        lan.lossOf[1] = 50; // node 1 learns a lossy network: its failure timeouts grow
        lan.run(15_000);
        lan.lossOf[1] = 0;
        int timers = 200;
        armSpread(lan, timers, 2_000);
        lan.run(200);
        lan.crashed[0] = true;
        long crashAt = lan.now;
        long others = Math.max(lan.node(2).failureTimeoutOf(lan.node(0).nodeId()), lan.node(3).failureTimeoutOf(lan.node(0).nodeId()));
        long slow = lan.node(1).failureTimeoutOf(lan.node(0).nodeId());
        lan.run(others + 6_000); // the others detect, hand over and reach the grace; node 1 has not detected yet
        lan.crashed[1] = true;
        lan.run(40_000);
        int[] lostDoubled = lostAndDoubled(lan, timers);
        String figures = "seed=" + Long.toHexString(seed) + " lost=" + lostDoubled[0] + " doubled=" + lostDoubled[1]
                + " timeout_ms_others=" + others + " timeout_ms_node1=" + slow
                + " crash_at=" + crashAt + counts(lan, Counter.TIMERS_ADOPTED, Counter.ORPHANS_FORWARDED, Counter.REPLICAS_EXPIRED);
        System.out.println("failover slow adopter-to-be: unicast=" + unicast + " " + figures);
        assertThat(slow).as("the scenario needs node 1's own detector to lag past its crash: " + figures).isGreaterThan(others + 6_000);
        assertThat(lostDoubled[0]).as(figures).isZero();
        assertThat(lostDoubled[1]).as(figures).isZero();
    }

    /**
     * Defect 12 (the hour-long multicast nemesis run lost c1-44910): a holder paused across the
     * owner's crash reads, when it resumes, the owner's last datagrams from its socket. Dated to
     * the moment they were read, their SETTLED reports said the owner had delivered everything
     * due until then, so the holder presumed fired every timer due between the crash and its
     * resume (and answered the other holders' hand-overs, so they stopped): lost. Datagrams read
     * while the loop catches up after a stall are now dated to the stall's start.
     */
    @ParameterizedTest(name = "unicast={0}")
    @ValueSource(booleans = {false, true})
    void aHolderPausedAcrossTheOwnersCrashDoesNotTakeItsLateReadReportsForProofOfFiring(boolean unicast) {
        long seed = 0xDEF12L + (unicast ? 1 : 0);
        SimulatedLan lan = new SimulatedLan(NODES, seed, 0, 1, builder(unicast));
        lan.run(3_000);
        int timers = 200;
        lan.paused[1] = true;
        lan.run(500);
        armSpread(lan, timers, 400); // due 0.3-0.9 s after the crash, before the paused holder resumes
        lan.run(100); // their SCHEDULEs (each datagram with a SETTLED report) wait in the paused holder's socket
        lan.crashed[0] = true;
        lan.run(1_500);
        lan.resume(1);
        lan.run(20_000);
        int[] lostDoubled = lostAndDoubled(lan, timers);
        String figures = "seed=" + Long.toHexString(seed) + " lost=" + lostDoubled[0] + " doubled=" + lostDoubled[1]
                + counts(lan, Counter.TAKEOVERS_PRESUMED_FIRED, Counter.TIMERS_ADOPTED, Counter.ORPHANS_FORWARDED);
        System.out.println("failover paused holder: unicast=" + unicast + " " + figures);
        assertThat(lostDoubled[0]).as(figures).isZero();
        assertThat(lostDoubled[1]).as(figures).isZero();
    }

    /**
     * Chaos run seed 1, hour-long, multicast (c1-42505 and c1-42518, defect 10): the owner fired
     * the timers and told their holders, then was SIGKILLed before its listener (the job
     * server's mailer) had run on a CPU-starved box; every survivor knew the timers had fired, so
     * nobody emailed them. A timer counts as delivered only once its listener returned: its FIRED
     * waits until then, and a member presumes a missed FIRED only as far as the owner's SETTLED
     * says its listeners returned. The listener here runs on an executor that holds the tasks.
     *
     * <ul>
     *   <li>{@code crash}: the owner dies with every listener still held: each timer must fire
     *       once on an adopter (before the fix: every one lost);</li>
     *   <li>{@code return}: the listeners return 500 ms late, the owner dies 3 s later: nothing fires twice;</li>
     *   <li>{@code return-fired-lost}: the same with every FIRED lost: the holders presume fired
     *       from SETTLED, nothing fires twice.</li>
     * </ul>
     */
    @ParameterizedTest(name = "unicast={0} {1}")
    @CsvSource({"false,crash", "true,crash", "false,return", "true,return", "false,return-fired-lost", "true,return-fired-lost"})
    void aTimerIsDeliveredOnlyWhenItsListenerReturned(boolean unicast, String scenario) {
        long seed = 0xC1_42505L;
        int timers = 200;
        SimulatedLan lan = new SimulatedLan(5, seed, 0, 1, builder(unicast));
        lan.traceId = System.getProperty("traceId");
        List<Runnable> held = new ArrayList<>();
        List<TimerExpiry> ownerFired = lan.expiries.get(0);
        lan.node(0).setListener(ownerFired::add, held::add);
        if (scenario.equals("return-fired-lost")) {
            lan.lose = (to, d) -> d != null && d.senderId() == SimulatedLan.NODE_ID_BASE
                    && d.frames().stream().anyMatch(f -> f instanceof io.wheelcast.codec.Frame.Fired);
        }
        lan.run(3_000);
        for (int i = 0; i < timers; i++) {
            lan.node(0).schedule(bytes(id(i)), 2_000 + i, null, new CompletableFuture<>(), lan.now);
        }
        lan.run(2_500); // every timer fired on its owner; no listener has returned
        int heldAtFire = held.size();
        if (!scenario.equals("crash")) {
            held.forEach(Runnable::run);
            held.clear();
            lan.run(3_000);
        }
        lan.crashed[0] = true;
        lan.run(20_000);
        int[] lostDoubled = lostAndDoubled(lan, timers);
        String figures = "seed=" + Long.toHexString(seed) + " unicast=" + unicast + " scenario=" + scenario
                + " held_at_fire=" + heldAtFire + " lost=" + lostDoubled[0] + " doubled=" + lostDoubled[1]
                + counts(lan, Counter.TIMERS_FIRED, Counter.TIMERS_ADOPTED, Counter.TAKEOVERS_PRESUMED_FIRED,
                Counter.FRAMES_OUT_FIRED, Counter.FRAMES_IN_SETTLED);
        System.out.println("failover listener: " + figures);
        assertThat(heldAtFire).as(figures).isEqualTo(timers);
        assertThat(lostDoubled[0]).as("lost: " + figures).isZero();
        assertThat(lostDoubled[1]).as("doubled: " + figures).isZero();
    }

    /**
     * Chaos run seed 12, unicast (c12-1481 and three more): a designated holder was paused when
     * the timers were armed. The owner's re-sends for anyone to answer (ACK_ANY) waited in its
     * socket; meanwhile the owner declared it dead, replicated elsewhere and fired, telling the
     * holders of its new view only. The paused node came back, read the stale SCHEDULEs (their
     * deadline counted from that moment), and when a partition cut the owner off a few seconds
     * later it adopted and fired them again.
     */
    @ParameterizedTest(name = "unicast={0} firstOutcomeLost={1}")
    @CsvSource({"false,false", "true,false", "false,true", "true,true"})
    void aHolderPausedWhileItsOwnerFiredDoesNotFireAgainAfterALaterPartition(boolean unicast, boolean firstOutcomeLost) {
        long seed = 0xC12_1481L;
        int timers = 300;
        SimulatedLan lan = new SimulatedLan(6, seed, 0, 1, builder(unicast));
        if (firstOutcomeLost) {
            // Chaos seed 53 (c53-1900): a loss burst on the paused node also dropped the one FIRED sent to it.
            Set<String> seen = new HashSet<>();
            lan.lose = (to, d) -> {
                boolean first = false;
                for (io.wheelcast.codec.Frame f : d == null ? List.<io.wheelcast.codec.Frame>of() : d.frames()) {
                    if (to == 2 && f instanceof io.wheelcast.codec.Frame.Fired x) {
                        first |= seen.add(new String(x.id(), StandardCharsets.UTF_8));
                    }
                }
                return first;
            };
        }
        lan.traceId = System.getProperty("traceId");
        lan.run(3_000);
        lan.paused[2] = true; // for longer than the failure timeout
        for (int i = 0; i < timers; i++) {
            lan.node(5).schedule(bytes(id(i)), 4_000 + i * 10L, null, new CompletableFuture<>(), lan.now);
        }
        lan.run(9_000);
        lan.resume(2);
        lan.run(3_000);
        lan.side[0] = 1;
        lan.side[5] = 1; // the owner and one other, cut off from the rest
        lan.run(15_000);
        int[] lostDoubled = lostAndDoubled(lan, timers);
        int lost = lostDoubled[0];
        int doubled = lostDoubled[1];
        String figures = "seed=" + Long.toHexString(seed) + " unicast=" + unicast + " first_outcome_lost=" + firstOutcomeLost
                + " doubled=" + doubled + " lost=" + lost
                + counts(lan, Counter.TIMERS_FIRED, Counter.TIMERS_ADOPTED, Counter.ORPHANS_FORWARDED, Counter.TAKEOVERS_PRESUMED_FIRED,
                Counter.MEMBERS_DEAD, Counter.MEMBERS_REVIVED);
        System.out.println("failover paused holder: " + figures);
        assertThat(doubled).as(figures).isZero();
        assertThat(lost).as(figures).isZero();
    }

    /**
     * Chaos run seed 21 (60 minutes; c21-5659 and 18 more): a host paused for 5 s, was declared
     * dead, came back, and was SIGKILLed 3 s later; timers armed around the pause were never
     * fired by anyone. And (15-minute run seed 51: 3 lost; pauseMs 3000 here lost 65 of 160) a
     * pause too short for the others to declare it dead but long enough for its quarantine, then
     * a SIGKILL during the quarantine: the timers it held back were presumed fired by survivors
     * that heard it live past them. Its quarantine heartbeats say it defers them now, and the
     * first goes out before any answer to what waited in its socket.
     */
    @ParameterizedTest(name = "unicast={0} pause={1}ms")
    @CsvSource({"false,5000", "true,5000", "false,3000", "true,3000"})
    void anOwnerKilledSoonAfterAPauseLosesNoTimer(boolean unicast, long pauseMs) {
        long seed = 0xC21_5659L;
        SimulatedLan lan = new SimulatedLan(6, seed, 0, 1, builder(unicast));
        lan.traceId = System.getProperty("traceId");
        lan.run(3_000);
        int armed = 0;
        long pauseAt = lan.now + 5_000;
        long resumeAt = pauseAt + pauseMs; // 3 s: not declared dead, but in quarantine (stall + interval >= timeout)
        long crashAt = resumeAt + 3_000;
        for (long t = lan.now; t < crashAt + 500; t += 50) {
            if (lan.now >= pauseAt && lan.now < resumeAt) {
                lan.paused[0] = true;
            } else if (lan.paused[0] && lan.now >= resumeAt) {
                lan.resume(0);
            }
            if (lan.now >= crashAt) {
                lan.crashed[0] = true;
            }
            if (!lan.crashed[0] && !lan.paused[0]) {
                lan.node(0).schedule(bytes(id(armed)), 2_000 + (armed * 37L) % 4_000, null, new CompletableFuture<>(), lan.now);
                armed++;
            }
            lan.run(50);
        }
        lan.run(30_000);
        Map<String, Integer> fires = fires(lan);
        List<String> lost = new ArrayList<>();
        int doubled = 0;
        for (int i = 0; i < armed; i++) {
            int n = fires.getOrDefault(id(i), 0);
            if (n == 0) {
                lost.add(id(i) + "(" + (2_000 + (i * 37L) % 4_000) + "ms)");
            }
            doubled += n > 1 ? 1 : 0;
        }
        String figures = "seed=" + Long.toHexString(seed) + " unicast=" + unicast + " armed=" + armed + " lost=" + lost.size()
                + " doubled=" + doubled + " first_lost=" + lost.subList(0, Math.min(5, lost.size()))
                + counts(lan, Counter.TIMERS_FIRED, Counter.TIMERS_ADOPTED, Counter.TIMERS_YIELDED, Counter.MEMBERS_DEAD,
                Counter.MEMBERS_REVIVED, Counter.TAKEOVERS_PRESUMED_FIRED, Counter.REPLICAS_EXPIRED);
        System.out.println("failover pause then crash: " + figures);
        assertThat(lost).as(figures).isEmpty();
    }

    /**
     * Chaos run seed 5 (25 minutes, job c5-20972, never emailed): a survivor handed a dead
     * owner's timer to its rendezvous winner, which still heard the owner and answered that it
     * would adopt the timer once its own detector agreed; it was SIGKILLed first. The survivor had
     * stopped handing over on that answer, so nobody adopted the timer. Here node 1 alone keeps
     * hearing the owner, the others declare the owner dead and hand node 1 the timers it wins,
     * then the owner and node 1 crash together, before any deadline.
     */
    @ParameterizedTest(name = "unicast={0}")
    @ValueSource(booleans = {false, true})
    void aDeadOwnersTimerIsNotLostWithItsAdopterToBe(boolean unicast) {
        long seed = 0xC5_20972L;
        int timers = 300;
        SimulatedLan lan = new SimulatedLan(5, seed, 0, 1, builder(unicast));
        lan.traceId = System.getProperty("traceId");
        lan.run(3_000);
        for (int i = 0; i < timers; i++) {
            lan.node(0).schedule(bytes(id(i)), 12_000 + i * 10L, null, new CompletableFuture<>(), lan.now);
        }
        lan.run(1_000);
        long owner = SimulatedLan.NODE_ID_BASE;
        lan.lose = (to, d) -> d != null && d.senderId() == owner && to != 1; // only node 1 still hears the owner
        lan.run(6_000);
        lan.crashed[0] = true;
        lan.crashed[1] = true;
        lan.run(25_000);
        int[] lostDoubled = lostAndDoubled(lan, timers);
        int lost = lostDoubled[0];
        int doubled = lostDoubled[1];
        String figures = "seed=" + Long.toHexString(seed) + " unicast=" + unicast + " lost=" + lost + " doubled=" + doubled
                + counts(lan, Counter.TIMERS_ADOPTED, Counter.ORPHANS_FORWARDED, Counter.MEMBERS_DEAD);
        System.out.println("failover adopter-to-be dies: " + figures);
        assertThat(lost).as(figures).isZero();
        assertThat(doubled).as(figures).isZero();
    }

    @Test
    void membershipChangesAreEventsForTheUser() {
        SimulatedLan lan = new SimulatedLan(3, 0xE7E7L, 0, 1, WheelcastNode.builder().heartbeatInterval(Duration.ofMillis(100)));
        List<MemberEvent> events = new ArrayList<>();
        lan.node(2).setMembershipListener(events::add, Runnable::run);
        lan.run(500);
        long n0 = lan.node(0).nodeId();
        long n1 = lan.node(1).nodeId();
        assertThat(events).containsExactlyInAnyOrder(new MemberEvent(MemberEvent.Type.JOINED, n0),
                new MemberEvent(MemberEvent.Type.JOINED, n1));
        events.clear();
        lan.node(1).close();
        lan.crashed[1] = true;
        lan.run(10);
        assertThat(events).containsExactly(new MemberEvent(MemberEvent.Type.LEFT, n1));
        events.clear();
        lan.paused[0] = true;
        lan.run(1_000);
        assertThat(events).containsExactly(new MemberEvent(MemberEvent.Type.DEAD, n0));
        events.clear();
        lan.resume(0);
        lan.run(500);
        assertThat(events).containsExactly(new MemberEvent(MemberEvent.Type.REVIVED, n0));
    }

    @Test
    void timersScheduledBeforeAnyoneJoinedAreReplicatedWhenSomeoneDoes() {
        long seed = 0x10E1L;
        SimulatedLan lan = new SimulatedLan(2, seed, 0, 1, WheelcastNode.builder().heartbeatInterval(Duration.ofMillis(100)));
        lan.crashed[1] = true; // not started yet: node 0 is alone
        for (int i = 0; i < 100; i++) {
            lan.node(0).schedule(bytes(id(i)), 20_000, null, new CompletableFuture<>(), lan.now);
        }
        lan.run(1_000);
        assertThat(lan.counters(0).get(Counter.FRAMES_IN_REPLICATED)).isZero();
        lan.crashed[1] = false;
        lan.run(1_000);
        assertThat(lan.counters(1).get(Counter.REPLICAS)).isEqualTo(100);
        lan.crashed[0] = true;
        lan.run(25_000);
        assertThat(lan.expiries.get(1)).hasSize(100).allMatch(TimerExpiry::adopted);
    }
}
