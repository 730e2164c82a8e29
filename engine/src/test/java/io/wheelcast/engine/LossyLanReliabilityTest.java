package io.wheelcast.engine;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 10,000 timers on 3 nodes through random datagram loss (every datagram, every direction):
 * half are cancelled from another node 500 ms after scheduling, with 2.5 s to spare. The
 * figures that matter: the share of cancels that take effect, and whether any future lies.
 * Deterministic: the seed and the numbers are printed with any failure.
 */
class LossyLanReliabilityTest {
    private static final int TIMERS = 10_000;

    @ParameterizedTest(name = "loss {0}%, duplicates {1}%, reordered {2}%")
    @CsvSource({
            "0, 0, 0, 1.0, 1.0",
            "10, 0, 0, 1.0, 1.0",
            "30, 0, 0, 1.0, 1.0",
            "50, 0, 0, 0.999, 0.95",
            "0, 20, 20, 1.0, 1.0",
            "30, 10, 10, 1.0, 1.0"})
    void cancelsTakeEffectAndFuturesNeverLie(double lossPercent, double dupPercent, double reorderPercent,
                                             double minEffective, double minAnswered) {
        long seed = 0x5EED_0000L + (long) lossPercent * 10_000 + (long) dupPercent * 100 + (long) reorderPercent;
        SimulatedLan lan = new SimulatedLan(3, seed, lossPercent, 1, WheelcastNode.builder());
        lan.duplicatePercent = dupPercent;
        lan.reorderPercent = reorderPercent;
        List<Long> completionMs = new ArrayList<>();
        List<CompletableFuture<CancelOutcome>> cancels = new ArrayList<>();
        List<String> cancelledIds = new ArrayList<>();
        for (int i = 0; i < TIMERS; i++) {
            lan.node(i % 3).schedule(("t" + i).getBytes(StandardCharsets.UTF_8), 3_000, null, new CompletableFuture<>(), lan.now);
            if (i % 100 == 99) {
                lan.run(1);
            }
        }
        lan.run(500);
        for (int i = 0; i < TIMERS; i += 2) {
            CompletableFuture<CancelOutcome> f = new CompletableFuture<>();
            long issuedAt = lan.now;
            f.thenRun(() -> completionMs.add(lan.now - issuedAt)); // completions run synchronously, in virtual time
            lan.node((i + 1) % 3).cancel(("t" + i).getBytes(StandardCharsets.UTF_8), f, lan.now);
            cancels.add(f);
            cancelledIds.add("t" + i);
            if (i % 200 == 198) {
                lan.run(1);
            }
        }
        lan.run(6_000);

        Set<String> fired = new HashSet<>();
        int firedTotal = 0;
        for (List<TimerExpiry> l : lan.expiries) {
            for (TimerExpiry e : l) {
                fired.add(e.idAsString());
                firedTotal++;
            }
        }
        int effective = 0;
        int lies = 0;
        int answered = 0;
        int unconfirmed = 0;
        int notFound = 0;
        for (int k = 0; k < cancels.size(); k++) {
            CancelOutcome o = cancels.get(k).join();
            boolean didFire = fired.contains(cancelledIds.get(k));
            if (!didFire) {
                effective++;
            }
            switch (o.status()) {
                case CANCELLED -> {
                    answered++;
                    if (didFire) {
                        lies++;
                    }
                }
                case ALREADY_FIRED -> {
                    answered++;
                    if (!didFire) {
                        lies++;
                    }
                }
                case UNCONFIRMED -> unconfirmed++;
                case NOT_FOUND -> notFound++;
            }
        }
        int uncancelledFired = 0;
        for (int i = 1; i < TIMERS; i += 2) {
            if (fired.contains("t" + i)) {
                uncancelledFired++;
            }
        }
        completionMs.sort(Long::compare);
        long p50 = completionMs.get(completionMs.size() / 2);
        long p99 = completionMs.get((int) Math.ceil(completionMs.size() * 0.99) - 1);
        String figures = String.format("seed=%x loss=%.0f%% dup=%.0f%% reorder=%.0f%% cancels=%d effective=%d answered=%d "
                        + "unconfirmed=%d not_found=%d lies=%d uncancelled_fired=%d/%d fired_total=%d cancel_p50_ms=%d "
                        + "cancel_p99_ms=%d datagrams=%d dropped=%d duplicated=%d reordered=%d",
                seed, lossPercent, dupPercent, reorderPercent, cancels.size(), effective, answered, unconfirmed, notFound,
                lies, uncancelledFired, TIMERS / 2, firedTotal, p50, p99, lan.sent, lan.dropped, lan.duplicated, lan.reordered);
        System.out.println("reliability: " + figures);
        assertThat(lies).as(figures).isZero();
        assertThat(firedTotal).as("every timer fires at most once: " + figures).isEqualTo(fired.size());
        assertThat(uncancelledFired).as("timers nobody cancelled fire: " + figures).isEqualTo(TIMERS / 2);
        assertThat((double) effective / cancels.size()).as(figures).isGreaterThanOrEqualTo(minEffective);
        assertThat((double) answered / cancels.size()).as(figures).isGreaterThanOrEqualTo(minAnswered);
    }
}
