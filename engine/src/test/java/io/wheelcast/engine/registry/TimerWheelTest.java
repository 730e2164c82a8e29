package io.wheelcast.engine.registry;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Every scheduled handle fires exactly once, never early, at most a tick late; cancelled ones never. */
class TimerWheelTest {
    @Test
    void firesEachLiveHandleOnceNeverEarlyAndSkipsCancelled() {
        long seed = 99;
        SplittableRandom r = new SplittableRandom(seed);
        int n = 20_000;
        TimerWheel wheel = new TimerWheel(0, 1, 256, n); // deadlines up to 40 rotations away
        long[] deadline = new long[n];
        boolean[] cancelled = new boolean[n];
        for (int h = 0; h < n; h++) {
            deadline[h] = r.nextInt(10_000);
            wheel.schedule(h, deadline[h]);
        }
        for (int h = 0; h < n; h += 3) {
            assertThat(wheel.cancel(h)).isTrue();
            cancelled[h] = true;
        }
        int[] fired = new int[n];
        List<String> errors = new ArrayList<>();
        for (long now = 0; now <= 10_001; now += 1 + r.nextInt(3)) { // irregular polls, as a busy loop would
            wheel.poll(now, (h, t) -> {
                fired[h]++;
                if (t < deadline[h] || t > deadline[h] + 3) {
                    errors.add("handle " + h + " deadline " + deadline[h] + " fired at " + t);
                }
            }, Integer.MAX_VALUE);
        }
        for (int h = 0; h < n; h++) {
            assertThat(fired[h]).as("seed=%d handle=%d", seed, h).isEqualTo(cancelled[h] ? 0 : 1);
        }
        assertThat(errors).as("seed=" + seed).isEmpty();
        assertThat(wheel.size()).isZero();
    }

    /**
     * Handles due rotations ahead wait in an outer slot and move inward when their rotation
     * begins; those beyond the outer level's horizon (slots x slots ticks) go round it again.
     * Rescheduling from the handler, coarse ticks and polls that skip ticks must all keep
     * "once, never early, at most a tick and a poll gap late".
     */
    @Test
    void handlesDueManyRotationsAheadMoveInwardAndFireOnTime() {
        long seed = 4242;
        SplittableRandom r = new SplittableRandom(seed);
        int n = 5_000;
        long tickMs = 10;
        TimerWheel wheel = new TimerWheel(1_005, tickMs, 16, n); // a rotation is 160 ms, the outer horizon 2,560 ms
        long[] deadline = new long[n];
        int[] rescheduled = new int[n];
        for (int h = 0; h < n; h++) {
            deadline[h] = 1_005 + r.nextInt(20_000);
            wheel.schedule(h, deadline[h]);
        }
        int[] fired = new int[n];
        List<String> errors = new ArrayList<>();
        long lastPoll = 1_005;
        for (long now = 1_005; now <= 30_000; now += 1 + r.nextInt(25)) {
            long gap = now - lastPoll;
            lastPoll = now;
            wheel.poll(now, (h, t) -> {
                if (t < deadline[h] || t > deadline[h] + tickMs + gap) {
                    errors.add("handle " + h + " deadline " + deadline[h] + " fired at " + t);
                }
                if (rescheduled[h]++ == 0 && h % 2 == 0) { // half of them once more, from inside the poll
                    deadline[h] = t + r.nextInt(3_000);
                    wheel.schedule(h, deadline[h]);
                } else {
                    fired[h]++;
                }
            }, Integer.MAX_VALUE);
        }
        for (int h = 0; h < n; h++) {
            assertThat(fired[h]).as("seed=%d handle=%d deadline=%d", seed, h, deadline[h]).isEqualTo(1);
        }
        assertThat(errors).as("seed=" + seed).isEmpty();
        assertThat(wheel.size()).isZero();
    }

    @Test
    void pollWorkIsBoundedByTheLimit() {
        TimerWheel wheel = new TimerWheel(0, 1, 64, 1000);
        for (int h = 0; h < 1000; h++) {
            wheel.schedule(h, 5);
        }
        assertThat(wheel.poll(10, (h, t) -> { }, 100)).isEqualTo(100);
        assertThat(wheel.size()).isEqualTo(900);
        assertThat(wheel.poll(10, (h, t) -> { }, 10_000)).isEqualTo(900);
    }
}
