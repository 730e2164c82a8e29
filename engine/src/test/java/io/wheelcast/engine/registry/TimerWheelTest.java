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
