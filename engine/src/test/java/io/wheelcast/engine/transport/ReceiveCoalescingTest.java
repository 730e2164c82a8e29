package io.wheelcast.engine.transport;

import io.netty.channel.SelectStrategy;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The loop waits one window after a read burst, and never otherwise. */
class ReceiveCoalescingTest {
    private static final long WINDOW = TimeUnit.MILLISECONDS.toNanos(20);

    @Test
    void waitsAWindowOnlyAfterAReadBurst() throws Exception {
        ReceiveCoalescing c = new ReceiveCoalescing(WINDOW);
        long t0 = System.nanoTime();
        assertThat(c.calculateStrategy(() -> 0, false)).isEqualTo(SelectStrategy.SELECT);
        long idle = System.nanoTime() - t0;
        assertThat(idle).as("an idle loop blocks in epoll at once (took %d ns)", idle).isLessThan(WINDOW);

        c.onRead();
        t0 = System.nanoTime();
        assertThat(c.calculateStrategy(() -> 0, false)).isEqualTo(SelectStrategy.SELECT);
        long afterRead = System.nanoTime() - t0;
        assertThat(afterRead).as("after a read the loop waits the window (took %d ns)", afterRead).isGreaterThanOrEqualTo(WINDOW);

        t0 = System.nanoTime();
        c.calculateStrategy(() -> 0, false);
        assertThat(System.nanoTime() - t0).as("one wait per read burst").isLessThan(WINDOW);
    }

    @Test
    void dueTasksPollWithoutBlockingAndWaitTheWindowOnlyAfterARead() throws Exception {
        ReceiveCoalescing c = new ReceiveCoalescing(WINDOW);
        long t0 = System.nanoTime();
        assertThat(c.calculateStrategy(() -> 3, true)).as("Netty's default: selectNow's count").isEqualTo(3);
        assertThat(System.nanoTime() - t0).isLessThan(WINDOW);

        c.onRead(); // the wheel's tick is always about due: it must not cut the window short
        t0 = System.nanoTime();
        assertThat(c.calculateStrategy(() -> 2, true)).isEqualTo(2);
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(WINDOW);
    }

    @Test
    void aWindowMustBePositive() {
        assertThatThrownBy(() -> new ReceiveCoalescing(0)).hasMessageContaining("windowNanos must be positive");
    }
}
