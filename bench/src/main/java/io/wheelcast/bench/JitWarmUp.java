package io.wheelcast.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Runs a W1 receiver's receive path hot before it reports ready. The receiver JVM is pinned to
 * one CPU, so C2 compiles on the CPU the event loop needs: cold, perf showed the C2 thread taking
 * 55% of CPU 1 during the measured 1,000,000 kills (2-3 s), and single C2 compiles of the
 * receive path take 0.1-1.5 s on these VMs (JFR {@code jdk.Compilation}). Production nodes are
 * warm; JMH warms up for the same reason. Warm-up kills go to ids outside the measured space,
 * from this process through the group, so they take the measured path, sender changes included.
 */
final class JitWarmUp {
    /** Kills per round; the first {@link #SINGLE} of a round go one per datagram (per-datagram code must get hot too). */
    static final int ROUND = 150_000;
    static final int SINGLE = 30_000;
    /** Live timers the warm-up cancels (half its kills hit one, as in W1). */
    static final int LIVE = 50_000;
    static final int MAX_ROUNDS = 8;
    /** One-kill-per-datagram receivers: shorter rounds take as long and compile the same code. */
    static final int PER_DATAGRAM_ROUND = ROUND / 3;
    static final int PER_DATAGRAM_MAX_ROUNDS = 6;
    /** Round trips per round of {@link #runRoundTrips}, and its most rounds. */
    static final int ROUND_TRIPS = 10_000;
    static final int ROUND_TRIP_MAX_ROUNDS = 6;
    /**
     * Wall-clock bound of {@link #runRoundTrips}: a busy-poll owner's loop spins on the CPU the
     * in-process pinger needs, and one such warm-up took 66 s instead of the usual 3-7 s.
     */
    static final long ROUND_TRIP_BUDGET_MS = 12_000;
    /** A round during which C2 and C1 spent less than this is quiet enough to measure after. */
    static final long QUIET_COMPILE_MS = 20;

    interface RoundTrip {
        /** One round trip, start to end; returns its nanoseconds. */
        long run() throws Exception;
    }

    interface Sender {
        /** Sends one datagram as {@code senderId}, carrying kills from index {@code k}; returns how many it carried. */
        int send(DatagramChannel ch, long senderId, int k, boolean single) throws Exception;
    }

    private JitWarmUp() {
    }

    static String id(int i) {
        return Ids.of("wrm-", i, 6);
    }

    /**
     * Sends rounds of {@code round} kills (the first {@code single} of each one per datagram, a
     * new sender id each round), in windows the receiver keeps up with, until a round passes
     * with almost no compilation, or {@code maxRounds}. Prints what it did.
     */
    static void run(Sender sender, LongSupplier received, int round, int single, int maxRounds) throws Exception {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long started = System.nanoTime();
        int rounds = 0;
        long compileMs = Long.MAX_VALUE;
        try (DatagramChannel ch = Workloads.rawChannel(false)) {
            while (rounds < maxRounds && compileMs >= QUIET_COMPILE_MS) {
                long jit0 = jit.getTotalCompilationTime();
                long senderId = 0x5E4D_0000_0001_0000L + rounds;
                long before = received.getAsLong();
                int k = 0;
                while (k < round) {
                    for (int d = 0; d < 16 && k < round; d++) {
                        k += sender.send(ch, senderId, rounds * round + k, k < single);
                    }
                    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
                    while (received.getAsLong() - before < k - 4_096 && System.nanoTime() < deadline) {
                        LockSupport.parkNanos(50_000);
                    }
                }
                Thread.sleep(100); // let the last window drain into this round's compile count
                compileMs = jit.getTotalCompilationTime() - jit0;
                rounds++;
            }
        }
        System.out.printf("warm-up rounds=%d kills=%d last_round_compile_ms=%d took_ms=%d%n", rounds, rounds * round, compileMs,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /**
     * Rounds of {@link #ROUND_TRIPS} round trips until one passes with almost no compilation, or
     * {@link #ROUND_TRIP_MAX_ROUNDS}, or {@link #ROUND_TRIP_BUDGET_MS}. Prints what it did and the
     * last round's median.
     */
    static void runRoundTrips(RoundTrip roundTrip) throws Exception {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long started = System.nanoTime();
        long[] rtt = new long[ROUND_TRIPS];
        int rounds = 0;
        long compileMs = Long.MAX_VALUE;
        long deadline = started + TimeUnit.MILLISECONDS.toNanos(ROUND_TRIP_BUDGET_MS);
        int done = 0;
        int inRound = 0;
        while (rounds < ROUND_TRIP_MAX_ROUNDS && compileMs >= QUIET_COMPILE_MS && System.nanoTime() < deadline) {
            long jit0 = jit.getTotalCompilationTime();
            for (inRound = 0; inRound < ROUND_TRIPS && System.nanoTime() < deadline; inRound++) {
                rtt[inRound] = roundTrip.run();
            }
            done += inRound;
            compileMs = jit.getTotalCompilationTime() - jit0;
            rounds++;
        }
        Arrays.sort(rtt, 0, inRound);
        System.out.printf("round-trip warm-up rounds=%d round_trips=%d last_round_compile_ms=%d last_round_p50_us=%.1f took_ms=%d%s%n",
                rounds, done, compileMs, rtt[inRound / 2] / 1e3, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                System.nanoTime() >= deadline ? " (stopped by its time budget)" : "");
    }
}
