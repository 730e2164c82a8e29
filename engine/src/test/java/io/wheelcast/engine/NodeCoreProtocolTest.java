package io.wheelcast.engine;

import io.wheelcast.engine.Backoff;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The protocol on a deterministic simulated LAN: who answers a cancel, what a late schedule
 * does after an early kill, and every refusal when a bound is hit.
 */
class NodeCoreProtocolTest {
    private static final long OWNER = 0x1000L;

    private static byte[] id(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Java 17 has no CompletableFuture.exceptionNow(). */
    static Throwable error(CompletableFuture<?> f) {
        assertThat(f).isCompletedExceptionally();
        try {
            f.getNow(null);
            throw new AssertionError("not failed");
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause();
        }
    }

    private static SimulatedLan lan(WheelcastNodeBuilder b) {
        return new SimulatedLan(3, 42, 0, 1, b);
    }

    @Test
    void cancelOnAnotherNodeClearsTheOwnersTimerAndReportsTheOwner() {
        SimulatedLan lan = lan(WheelcastNode.builder());
        CompletableFuture<ScheduleOutcome> s = new CompletableFuture<>();
        lan.node(0).schedule(id("job-1"), 1_000, null, s, lan.now);
        lan.run(10);
        assertThat(s).isCompletedWithValue(ScheduleOutcome.ARMED);
        assertThat(lan.counters(2).get(Counter.REPLICAS_STORED)).isEqualTo(1);

        CompletableFuture<CancelOutcome> c = new CompletableFuture<>();
        lan.node(2).cancel(id("job-1"), c, lan.now);
        lan.run(10);
        assertThat(c).isCompletedWithValue(new CancelOutcome(CancelOutcome.Status.CANCELLED, OWNER));
        lan.run(2_000);
        assertThat(lan.expiries.get(0)).as("a cancelled timer must not fire").isEmpty();
        assertThat(lan.counters(1).get(Counter.REPLICAS_STORED)).isEqualTo(1);
        // KILL_ACK drops the replica everywhere, except at the owner's acknowledged holder, which keeps a
        // finished marker until the deadline plus grace so that a takeover cannot revive the timer.
        lan.run(5_000);
        for (int n = 1; n < 3; n++) {
            lan.node(n).updateGauges();
            assertThat(lan.counters(n).get(Counter.REPLICAS)).as("node %d replicas", n).isZero();
        }
    }

    @Test
    void uncancelledTimerFiresOnceOnItsOwnerAndLateCancelSaysAlreadyFired() {
        SimulatedLan lan = lan(WheelcastNode.builder());
        CompletableFuture<ScheduleOutcome> s = new CompletableFuture<>();
        lan.node(1).schedule(id("job-2"), 50, id("payload"), s, lan.now);
        lan.run(100);
        assertThat(lan.expiries.get(1)).hasSize(1);
        TimerExpiry e = lan.expiries.get(1).get(0);
        assertThat(e.idAsString()).isEqualTo("job-2");
        assertThat(new String(e.payload(), StandardCharsets.UTF_8)).isEqualTo("payload");
        assertThat(e.lateByMs()).isBetween(0L, 2L);
        assertThat(lan.expiries.get(0)).isEmpty();
        assertThat(lan.expiries.get(2)).isEmpty();

        CompletableFuture<CancelOutcome> c = new CompletableFuture<>();
        lan.node(0).cancel(id("job-2"), c, lan.now);
        lan.run(10);
        assertThat(c).isCompletedWithValue(new CancelOutcome(CancelOutcome.Status.ALREADY_FIRED, OWNER + 1));
    }

    @Test
    void killBeforeScheduleLeavesATombstoneThatCancelsTheLateSchedule() {
        SimulatedLan lan = lan(WheelcastNode.builder());
        CompletableFuture<CancelOutcome> c = new CompletableFuture<>();
        lan.node(2).cancel(id("job-3"), c, lan.now);
        lan.run(3);
        assertThat(lan.counters(0).get(Counter.TOMBSTONES_STORED)).isEqualTo(1);

        CompletableFuture<ScheduleOutcome> s = new CompletableFuture<>();
        lan.node(0).schedule(id("job-3"), 1_000, null, s, lan.now);
        lan.run(10);
        assertThat(s).isCompletedWithValue(ScheduleOutcome.PRE_CANCELLED);
        assertThat(c).as("the early canceller learns it won").isCompletedWithValue(
                new CancelOutcome(CancelOutcome.Status.CANCELLED, OWNER));
        lan.run(2_000);
        assertThat(lan.expiries.get(0)).isEmpty();
    }

    @Test
    void cancelOfAnIdNobodyHoldsIsNotFoundAfterTheTimeout() {
        SimulatedLan lan = lan(WheelcastNode.builder().killBackoff(new Backoff(5, 50, 300, 10)));
        CompletableFuture<CancelOutcome> c = new CompletableFuture<>();
        lan.node(1).cancel(id("nobody"), c, lan.now);
        lan.run(250);
        assertThat(c).isNotDone();
        lan.run(100);
        assertThat(c).isCompletedWithValue(new CancelOutcome(CancelOutcome.Status.NOT_FOUND, 0));
        assertThat(lan.counters(1).get(Counter.KILL_RETRANSMITS)).isBetween(3L, 9L);
    }

    @Test
    void cancelOfAKnownTimerWhoseOwnerIsSilentIsUnconfirmed() {
        SimulatedLan lan = lan(WheelcastNode.builder().killBackoff(new Backoff(5, 50, 300, 10)));
        CompletableFuture<ScheduleOutcome> s = new CompletableFuture<>();
        lan.node(0).schedule(id("job-4"), 10_000, null, s, lan.now);
        lan.run(5);
        lan.nodes.set(0, lan.nodes.get(1)); // node 0 "dies": its slot now points elsewhere, nobody answers as owner
        CompletableFuture<CancelOutcome> c = new CompletableFuture<>();
        lan.node(2).cancel(id("job-4"), c, lan.now);
        lan.run(400);
        assertThat(c).isCompletedWithValue(new CancelOutcome(CancelOutcome.Status.UNCONFIRMED, 0));
    }

    @Test
    void duplicateIdsAreRejectedAndFinishedIdsMayBeReused() {
        SimulatedLan lan = lan(WheelcastNode.builder());
        CompletableFuture<ScheduleOutcome> a = new CompletableFuture<>();
        CompletableFuture<ScheduleOutcome> b = new CompletableFuture<>();
        CompletableFuture<ScheduleOutcome> other = new CompletableFuture<>();
        lan.node(0).schedule(id("dup"), 20, null, a, lan.now);
        lan.node(0).schedule(id("dup"), 20, null, b, lan.now);
        lan.run(5);
        lan.node(1).schedule(id("dup"), 20, null, other, lan.now);
        assertThat(a).isCompletedWithValue(ScheduleOutcome.ARMED);
        assertThat(b).isCompletedExceptionally();
        assertThat(error(b)).isInstanceOf(ScheduleRejectedException.class)
                .extracting(t -> ((ScheduleRejectedException) t).reason()).isEqualTo(ScheduleRejectedException.Reason.DUPLICATE_ID);
        assertThat(error(other)).hasMessageContaining("owned by node 1000");
        lan.run(50);
        CompletableFuture<ScheduleOutcome> again = new CompletableFuture<>();
        lan.node(0).schedule(id("dup"), 20, null, again, lan.now);
        assertThat(again).isCompletedWithValue(ScheduleOutcome.ARMED);
    }

    @Test
    void boundsGiveClearErrorsOrCountedDrops() {
        SimulatedLan lan = new SimulatedLan(2, 7, 0, 1, WheelcastNode.builder()
                .maxTimers(2).maxReplicas(1).maxTombstones(1).maxPendingCancels(1));
        CompletableFuture<ScheduleOutcome> third = new CompletableFuture<>();
        lan.node(0).schedule(id("t1"), 10_000, null, new CompletableFuture<>(), lan.now);
        lan.node(0).schedule(id("t2"), 10_000, null, new CompletableFuture<>(), lan.now);
        lan.node(0).schedule(id("t3"), 10_000, null, third, lan.now);
        assertThat(((ScheduleRejectedException) error(third)).reason())
                .isEqualTo(ScheduleRejectedException.Reason.TIMER_LIMIT);
        lan.run(5);
        assertThat(lan.counters(1).get(Counter.REPLICAS_STORED)).isEqualTo(1);
        // t2 is dropped once per SCHEDULE received: the first send, and the re-sends of an unreplicated timer
        assertThat(lan.counters(1).get(Counter.REPLICAS_DROPPED_FULL)).isPositive();

        CompletableFuture<CancelOutcome> c1 = new CompletableFuture<>();
        CompletableFuture<CancelOutcome> c2 = new CompletableFuture<>();
        lan.node(1).cancel(id("x1"), c1, lan.now);
        lan.node(1).cancel(id("x2"), c2, lan.now);
        assertThat(((CancelRejectedException) error(c2)).reason()).isEqualTo(CancelRejectedException.Reason.PENDING_LIMIT);
        lan.run(5);
        assertThat(lan.counters(0).get(Counter.TOMBSTONES_STORED)).isEqualTo(1);
        lan.run(2_100); // x1 times out (NOT_FOUND) and frees its pending slot; its tombstones stay
        assertThat(c1.join().status()).isEqualTo(CancelOutcome.Status.NOT_FOUND);
        lan.node(1).cancel(id("x3"), new CompletableFuture<>(), lan.now);
        lan.run(5);
        assertThat(lan.counters(1).get(Counter.TOMBSTONES_DROPPED_FULL)).as("local tombstone over the bound").isEqualTo(1);
        assertThat(lan.counters(0).get(Counter.TOMBSTONES_DROPPED_FULL)).as("remote tombstone over the bound").isEqualTo(1);
    }

    @Test
    void closeCompletesPendingCancelsAsUnconfirmedAndRefusesNewWork() {
        SimulatedLan lan = lan(WheelcastNode.builder());
        CompletableFuture<CancelOutcome> c = new CompletableFuture<>();
        lan.node(0).cancel(id("late"), c, lan.now);
        lan.node(0).close();
        assertThat(c).isCompletedWithValue(new CancelOutcome(CancelOutcome.Status.UNCONFIRMED, 0));
        CompletableFuture<ScheduleOutcome> s = new CompletableFuture<>();
        lan.node(0).schedule(id("x"), 1, null, s, lan.now);
        assertThat(((ScheduleRejectedException) error(s)).reason()).isEqualTo(ScheduleRejectedException.Reason.CLOSED);
    }
}
