package io.wheelcast.engine.reliability;

import org.junit.jupiter.api.Test;

import static io.wheelcast.engine.reliability.SenderTable.Verdict.DUPLICATE;
import static io.wheelcast.engine.reliability.SenderTable.Verdict.NEW;
import static io.wheelcast.engine.reliability.SenderTable.Verdict.TOO_OLD;
import static org.assertj.core.api.Assertions.assertThat;

/** Duplicate suppression and gap counting, per sender, in its group and its direct sequence. */
class SenderTableTest {
    private static final long A = 0xA;

    @Test
    void groupSequenceDropsDuplicatesAndCountsGaps() {
        SenderTable t = new SenderTable(4);
        assertThat(t.accept(A, 1, 0)).isEqualTo(NEW);
        assertThat(t.accept(A, 4, 0)).isEqualTo(NEW);
        assertThat(t.lastGap()).as("2 and 3 missing").isEqualTo(2);
        assertThat(t.accept(A, 3, 0)).as("late, inside the window").isEqualTo(NEW);
        assertThat(t.accept(A, 3, 0)).isEqualTo(DUPLICATE);
        assertThat(t.accept(A, 200, 0)).isEqualTo(NEW);
        assertThat(t.accept(A, 100, 0)).isEqualTo(TOO_OLD);
    }

    /** Unicast: a sender's direct datagrams share one sequence over all its destinations, so a receiver sees holes that are not loss. */
    @Test
    void directSequenceIsTrackedApartAndItsHolesAreNotGaps() {
        SenderTable t = new SenderTable(4);
        assertThat(t.accept(A, 1, false, 0)).isEqualTo(NEW);
        assertThat(t.accept(A, 1, true, 0)).as("the same number in the other space is another datagram").isEqualTo(NEW);
        assertThat(t.accept(A, 9, true, 0)).isEqualTo(NEW);
        assertThat(t.lastGap()).as("7 direct datagrams went to other members").isZero();
        assertThat(t.accept(A, 9, true, 0)).as("a replayed direct datagram").isEqualTo(DUPLICATE);
        assertThat(t.accept(A, 2, false, 0)).isEqualTo(NEW);
        assertThat(t.lastGap()).isZero();
        assertThat(t.accept(A, 2, false, 0)).isEqualTo(DUPLICATE);
        assertThat(t.size()).as("one sender, two spaces").isEqualTo(1);
    }
}
