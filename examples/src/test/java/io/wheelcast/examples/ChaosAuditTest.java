package io.wheelcast.examples;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The nemesis run's auditor judges only what users saw. These cases pin its verdicts: what it
 * must call a violation (a lost job, a double with no partition near it) and what the
 * documented guarantees allow (a double across a partition that began while the job was still
 * unfired, the last-instant double of a crashed owner).
 */
class ChaosAuditTest {
    private static final long T0 = 1_000_000;

    /** A job posted on host 3 (index 2) at T0, answered 40 ms later, 4,596 ms timeout. */
    private static ChaosWorkload.Life job(String id) {
        ChaosWorkload.Life l = new ChaosWorkload.Life(id, 2, 4_596, false, false, T0);
        l.postAnsweredAt = T0 + 40;
        l.postCode = 201;
        l.postState = "ARMED";
        return l;
    }

    private static ChaosAudit.Fault fault(String kind, String who, long start, long end) {
        ChaosAudit.Fault f = new ChaosAudit.Fault(kind, who, start);
        f.end = end;
        return f;
    }

    private static boolean audit(ChaosWorkload.Life life, List<Long> emails, ChaosAudit.Fault... faults) {
        Map<String, List<Long>> sent = new HashMap<>();
        sent.put(life.id, emails);
        return new ChaosAudit(List.of(life), sent, Map.of(), List.of(faults), List.of(), 6).run();
    }

    @Test
    void oneEmailOnTimeIsOk() {
        assertThat(audit(job("a"), List.of(T0 + 4_636))).isTrue();
    }

    @Test
    void aJobNeverEmailedIsLost() {
        assertThat(audit(job("a"), List.of(), fault("crash", "3", T0 + 4_000, T0 + 9_000))).isFalse();
    }

    @Test
    void twoEmailsWithNoFaultNearAreAViolation() {
        assertThat(audit(job("a"), List.of(T0 + 4_636, T0 + 4_700))).isFalse();
    }

    @Test
    void twoEmailsAcrossAPartitionCoveringTheDeadlineAreAllowed() {
        assertThat(audit(job("a"), List.of(T0 + 4_636, T0 + 9_000), fault("partition", "1,3/2,4,5,6", T0 + 4_000, T0 + 9_200))).isTrue();
    }

    /**
     * Chaos seed 51 (15 minutes, job c51-7263): its owner's host was paused through the deadline
     * (6 s) and fired it after its post-stall quarantine, 10.5 s after the POST; a partition had
     * begun 0.5 s before that, and the other side adopted and fired it too. The nominal deadline
     * plus the 5 s settle ended before the partition began, but the job was still pending.
     */
    @Test
    void aPartitionThatBeganWhileAPausedOwnersJobWasStillPendingAllowsTwoEmails() {
        assertThat(audit(job("c51-7263"), List.of(T0 + 10_501, T0 + 14_669),
                fault("pause", "3", T0 + 39, T0 + 6_049),
                fault("partition", "1,3/2,4,5,6", T0 + 10_077, T0 + 15_249))).isTrue();
    }

    @Test
    void aPartitionThatBeganAfterTheFirstEmailDoesNotExcuseASecond() {
        assertThat(audit(job("a"), List.of(T0 + 4_636, T0 + 16_000),
                fault("partition", "1,3/2,4,5,6", T0 + 15_000, T0 + 20_000))).isFalse();
    }

    @Test
    void aSecondEmailRightAfterTheOwnersCrashIsTheDocumentedLastInstant() {
        assertThat(audit(job("a"), List.of(T0 + 4_636, T0 + 9_000), fault("crash", "3", T0 + 4_700, T0 + 8_000))).isTrue();
    }
}
