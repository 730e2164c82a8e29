package io.wheelcast.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Routed kills (unicast mode with replicas): a canceller that does not know a timer's owner
 * sends its KILL to the k + 1 members that own or hold the id, not to every member, and a holder
 * forwards it to the owner (KILL_FORWARD). What this protects: every cancel still takes effect
 * and is answered CANCELLED, no cancelled timer fires, the others fire once, and a cancel costs
 * a number of KILL frames that does not grow with the cluster. Simulated LAN, virtual time,
 * deterministic from the printed seed.
 */
@Timeout(120)
class RoutedKillTest {
    private static final int K = 2;

    /** Sized to what each simulated node needs (the defaults would need about 45 MB per node). */
    private static WheelcastNodeBuilder builder(int nodes) {
        return SimulatedLan.unicast(WheelcastNode.builder()).replicas(K)
                .maxTimers(1_024).maxReplicas(2_048).maxTombstones(4_096).maxPendingCancels(1_024)
                .maxSenders(nodes + 64).wheelSlots(1_024);
    }

    private static byte[] id(int node, int i) {
        return ("n" + node + "-job-" + i).getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "{0} nodes, {1}% loss")
    @CsvSource({"6,0", "24,0", "24,10", "60,0"})
    void aCancelFromAnyMemberReachesTheOwnerThroughKPlusOneMembers(int nodes, int lossPercent) {
        long seed = 0x4B11_0000L + nodes * 100L + lossPercent;
        SplittableRandom random = new SplittableRandom(seed);
        SimulatedLan lan = new SimulatedLan(nodes, seed, lossPercent, 1, builder(nodes));
        lan.run(4_000);
        int perNode = 100;
        for (int i = 0; i < perNode; i++) {
            for (int n = 0; n < nodes; n++) {
                lan.node(n).schedule(id(n, i), 8_000 + random.nextInt(4_000), null, new CompletableFuture<>(), lan.now);
            }
            lan.run(10);
        }
        lan.run(1_000);
        Set<String> cancelled = new HashSet<>();
        List<CompletableFuture<CancelOutcome>> cancels = new ArrayList<>();
        long killsBefore = sum(lan, nodes, Counter.FRAMES_IN_KILL);
        for (int n = 0; n < nodes; n++) {
            for (int i = 0; i < perNode; i += 5) {
                int from = (n + 1 + random.nextInt(nodes - 1)) % nodes; // any other member
                CompletableFuture<CancelOutcome> f = new CompletableFuture<>();
                lan.node(from).cancel(id(n, i), f, lan.now);
                cancels.add(f);
                cancelled.add(new String(id(n, i), StandardCharsets.UTF_8));
            }
            lan.run(5);
        }
        lan.run(2_000);
        long killFrames = sum(lan, nodes, Counter.FRAMES_IN_KILL) - killsBefore;
        lan.run(15_000);

        Map<String, Integer> fires = fires(lan);
        int lost = 0;
        int doubled = 0;
        int cancelledFired = 0;
        for (int n = 0; n < nodes; n++) {
            for (int i = 0; i < perNode; i++) {
                String s = new String(id(n, i), StandardCharsets.UTF_8);
                int count = fires.getOrDefault(s, 0);
                if (cancelled.contains(s)) {
                    cancelledFired += count;
                } else if (count == 0) {
                    lost++;
                } else if (count > 1) {
                    doubled++;
                }
            }
        }
        Map<CancelOutcome.Status, Integer> outcomes = new EnumMap<>(CancelOutcome.Status.class);
        for (CompletableFuture<CancelOutcome> f : cancels) {
            outcomes.merge(f.join().status(), 1, Integer::sum);
        }
        long widened = sum(lan, nodes, Counter.KILLS_WIDENED);
        long forwarded = sum(lan, nodes, Counter.FRAMES_IN_KILL_FORWARD);
        String figures = "seed=" + Long.toHexString(seed) + " nodes=" + nodes + " loss=" + lossPercent + "% cancels=" + cancels.size()
                + " outcomes=" + outcomes + " kill_frames_in=" + killFrames + " (" + String.format("%.2f", (double) killFrames / cancels.size())
                + " per cancel) forwards_in=" + forwarded + " widened=" + widened
                + " lost=" + lost + " doubled=" + doubled + " cancelled_fired=" + cancelledFired;
        System.out.println("routed kills: " + figures);
        assertThat(cancelledFired).as(figures).isZero();
        assertThat(lost).as(figures).isZero();
        assertThat(doubled).as(figures).isZero();
        assertThat(outcomes.getOrDefault(CancelOutcome.Status.CANCELLED, 0)).as(figures).isEqualTo(cancels.size());
        assertThat(forwarded).as("holders passed kills on to owners outside the route: " + figures).isPositive();
        if (lossPercent == 0) {
            assertThat(widened).as("views agree without loss: no kill needs every member. " + figures).isZero();
            assertThat(killFrames).as("at most k + 1 KILL frames per cancel, whatever the cluster size: " + figures)
                    .isLessThanOrEqualTo((long) (K + 1) * cancels.size());
        } else {
            // A re-send goes to the route again; only a cancel unanswered after two sends widens.
            assertThat(widened).as(figures).isLessThan(cancels.size() / 10L);
            assertThat(killFrames).as(figures).isLessThan(2L * (K + 1) * cancels.size());
        }
    }

    /**
     * A kill sent before the timer exists (the id's owner schedules it a moment later) leaves a
     * tombstone only on the k + 1 members of its route, not on the owner; the owner's SCHEDULE
     * reaches its holders, which are among them, and they pass the kill on. So it is still
     * cancelled and the canceller is answered CANCELLED.
     */
    @Test
    void aKillThatArrivesBeforeItsScheduleStillCancelsTheTimer() {
        int nodes = 24;
        long seed = 0x4B11_7000L;
        SimulatedLan lan = new SimulatedLan(nodes, seed, 0, 1, builder(nodes));
        lan.run(4_000);
        List<CompletableFuture<CancelOutcome>> cancels = new ArrayList<>();
        List<CompletableFuture<ScheduleOutcome>> schedules = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int owner = i % nodes;
            int canceller = (owner + 1 + i % (nodes - 1)) % nodes;
            CompletableFuture<CancelOutcome> c = new CompletableFuture<>();
            lan.node(canceller).cancel(id(owner, i), c, lan.now);
            cancels.add(c);
            lan.run(2); // the KILL's routed copies arrive (the owner is mostly not among them), not yet re-sent to everyone
            CompletableFuture<ScheduleOutcome> s = new CompletableFuture<>();
            lan.node(owner).schedule(id(owner, i), 3_000, null, s, lan.now);
            schedules.add(s);
        }
        lan.run(10_000);
        int fired = fires(lan).values().stream().mapToInt(Integer::intValue).sum();
        Map<CancelOutcome.Status, Integer> outcomes = new EnumMap<>(CancelOutcome.Status.class);
        for (CompletableFuture<CancelOutcome> f : cancels) {
            outcomes.merge(f.join().status(), 1, Integer::sum);
        }
        Map<ScheduleOutcome, Integer> armed = new HashMap<>();
        for (CompletableFuture<ScheduleOutcome> f : schedules) {
            armed.merge(f.join(), 1, Integer::sum);
        }
        String figures = "seed=" + Long.toHexString(seed) + " cancel_outcomes=" + outcomes + " schedule_outcomes=" + armed
                + " fired=" + fired + " forwards_in=" + sum(lan, nodes, Counter.FRAMES_IN_KILL_FORWARD)
                + " schedule_after_kill=" + sum(lan, nodes, Counter.SCHEDULE_AFTER_KILL)
                + " kill_frames_in=" + sum(lan, nodes, Counter.FRAMES_IN_KILL) + " widened=" + sum(lan, nodes, Counter.KILLS_WIDENED)
                + " live_members=" + lan.counters(0).get(Counter.LIVE_MEMBERS);
        System.out.println("routed kill before schedule: " + figures);
        assertThat(fired).as(figures).isZero();
        assertThat(outcomes.getOrDefault(CancelOutcome.Status.CANCELLED, 0)).as(figures).isEqualTo(cancels.size());
        assertThat(armed.getOrDefault(ScheduleOutcome.ARMED, 0)).as("most owners were not on the route: " + figures)
                .isGreaterThan(schedules.size() / 2);
        assertThat(sum(lan, nodes, Counter.FRAMES_IN_KILL_FORWARD)).as("their holders passed the kill on: " + figures)
                .isPositive();
    }

    private static Map<String, Integer> fires(SimulatedLan lan) {
        Map<String, Integer> fires = new HashMap<>();
        for (List<TimerExpiry> node : lan.expiries) {
            for (TimerExpiry e : node) {
                fires.merge(e.idAsString(), 1, Integer::sum);
            }
        }
        return fires;
    }

    private static long sum(SimulatedLan lan, int nodes, Counter c) {
        long s = 0;
        for (int n = 0; n < nodes; n++) {
            s += lan.counters(n).get(c);
        }
        return s;
    }
}
