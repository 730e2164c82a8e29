package io.wheelcast.bench;

import io.wheelcast.codec.IdBytes;
import io.wheelcast.engine.registry.EntryKind;
import io.wheelcast.engine.registry.TimerRegistry;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

/**
 * W3 memory: heap after GC per live timer, for 1,000,000 timers in a registry sized for them
 * (the registry preallocates its arrays, so the figure includes the id arena at maxIdLength 64).
 */
public final class RegistryFootprint {
    private RegistryFootprint() {
    }

    public static void main(String[] args) {
        int timers = 1_000_000;
        long before = heapAfterGc();
        TimerRegistry r = new TimerRegistry(timers, 1, 1, 64, 0, 1, 4096);
        for (int i = 0; i < timers; i++) {
            byte[] id = Ids.of("job-", i, 7).getBytes(StandardCharsets.US_ASCII);
            int h = r.insert(EntryKind.LOCAL_ARMED, id, 0, id.length, IdBytes.hash(id, 0, id.length), 600_000);
            if (h < 0) {
                throw new IllegalStateException("insert failed at " + i);
            }
        }
        long after = heapAfterGc();
        System.out.printf("W3-memory live_timers=%d bytes_per_live_timer=%.0f (id arena %d B of it at maxIdLength 64; registry holds %d)%n",
                timers, (double) (after - before) / timers, 64, r.count(EntryKind.LOCAL_ARMED));
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
