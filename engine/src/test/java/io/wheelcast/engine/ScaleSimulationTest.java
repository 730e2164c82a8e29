package io.wheelcast.engine;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The small end of scripts/scale.sh in the suite, so the harness keeps working and the
 * properties it reports stay true: no timer doubled, lost or fired despite a cancel when 1% of
 * the nodes (here one) crash under a steady load; the death detected within 1.5x the failure
 * timeout without loss, the dead node's timers all taken over within 2 s of the last survivor's detection, and
 * within 9 s of the last deadline no node holds anything that could still fire.
 */
class ScaleSimulationTest {
    @ParameterizedTest(name = "nodes={0} unicast={1} loss={2}%")
    @CsvSource({"6,false,0", "6,true,0", "6,false,10", "6,true,10", "24,false,0", "24,true,0", "24,false,10", "24,true,10"})
    void aCrashUnderSteadyLoadLosesAndDoublesNothing(int nodes, boolean unicast, double loss) {
        ScaleSimulation.Result r = ScaleSimulation.run(new ScaleSimulation.Plan(nodes, unicast, loss, 0x5CA1EL + nodes, 300,
                10_000, 0.1, 2));
        String figures = r.line();
        System.out.println(figures);
        assertThat(r.doubled()).as(figures).isZero();
        assertThat(r.lost()).as(figures).isZero();
        assertThat(r.cancelledFired()).as(figures).isZero();
        assertThat(r.victimTimers()).as(figures).isPositive();
        assertThat(r.adoptionMs()).as(figures).isBetween(0L, 2_000L);
        // every replica learns how its timer ended (or expires): the run ends on quiescence, not by the clock
        assertThat(r.quiescentAfterLastDeadlineMs()).as(figures).isBetween(0L, 9_000L);
        if (loss == 0) {
            assertThat(r.detectionLastMs()).as(figures).isBetween(0L, r.failureTimeoutMs() * 3 / 2);
        }
        if (unicast) {
            assertThat(r.replicasMaxNode()).as("bounded replicas: " + figures).isLessThan((long) (3 * r.replicasExpectedPerNode()) + 50);
        }
    }
}
