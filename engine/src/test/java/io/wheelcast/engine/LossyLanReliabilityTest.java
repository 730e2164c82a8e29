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

    @ParameterizedTest(name = "loss {0}%")
    @CsvSource({"0, 1.0, 1.0", "10, 1.0, 0.999", "30, 1.0, 0.99", "50, 0.999, 0.95"})
    void cancelsTakeEffectAndFuturesNeverLie(double lossPercent, double minEffective, double minAnswered) {
        long seed = 0x5EED_0000L + (long) lossPercent;
        SimulatedLan lan = new SimulatedLan(3, seed, lossPercent, 1, WheelcastNode.builder());
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
        String figures = String.format("seed=%x loss=%.0f%% cancels=%d effective=%d answered=%d unconfirmed=%d "
                        + "not_found=%d lies=%d uncancelled_fired=%d/%d fired_total=%d datagrams=%d dropped=%d",
                seed, lossPercent, cancels.size(), effective, answered, unconfirmed, notFound, lies,
                uncancelledFired, TIMERS / 2, firedTotal, lan.sent, lan.dropped);
        System.out.println("reliability: " + figures);
        assertThat(lies).as(figures).isZero();
        assertThat(firedTotal).as("every timer fires at most once: " + figures).isEqualTo(fired.size());
        assertThat(uncancelledFired).as("timers nobody cancelled fire: " + figures).isEqualTo(TIMERS / 2);
        assertThat((double) effective / cancels.size()).as(figures).isGreaterThanOrEqualTo(minEffective);
        assertThat((double) answered / cancels.size()).as(figures).isGreaterThanOrEqualTo(minAnswered);
    }
}
