package io.wheelcast.engine.protocol;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An owner keeps which of a timer's k designated holders acknowledged their copy as one bit per
 * rank, and moves the bits when a member enters or leaves the ranking: here against a model
 * that keeps the ranked members themselves. A member pushed out of the top k no longer counts
 * (it may drop its copy), so it must be asked again should it move back up.
 */
class AcknowledgedRanksTest {
    @Test
    void ranksFollowTheHoldersThroughJoinsAndDeaths() {
        SplittableRandom random = new SplittableRandom(11);
        for (int round = 0; round < 2_000; round++) {
            int k = 1 + random.nextInt(random.nextBoolean() ? 4 : 64);
            List<Long> ranking = new ArrayList<>(); // best first
            List<Long> acknowledged = new ArrayList<>();
            long bits = 0;
            long next = 1;
            for (int step = 0; step < 40; step++) {
                String where = "round=" + round + " step=" + step + " k=" + k;
                int op = random.nextInt(3);
                if (op == 0 || ranking.isEmpty()) { // a member joins at a random rank
                    int rank = random.nextInt(ranking.size() + 1);
                    long member = next++;
                    ranking.add(rank, member);
                    if (rank < k) {
                        bits = Replication.rankInserted(bits, rank, k);
                        if (ranking.size() > k) {
                            acknowledged.remove(ranking.get(k)); // pushed out of the top k
                        }
                    }
                } else if (op == 1) { // a member dies
                    int rank = random.nextInt(ranking.size());
                    long member = ranking.remove(rank);
                    acknowledged.remove(member);
                    if (rank < k) {
                        bits = Replication.rankRemoved(bits, rank, k);
                    }
                } else { // a holder in the top k acknowledges
                    int rank = random.nextInt(Math.min(k, ranking.size()));
                    bits |= 1L << rank;
                    if (!acknowledged.contains(ranking.get(rank))) {
                        acknowledged.add(ranking.get(rank));
                    }
                }
                long expected = 0;
                for (int r = 0; r < Math.min(k, ranking.size()); r++) {
                    if (acknowledged.contains(ranking.get(r))) {
                        expected |= 1L << r;
                    }
                }
                assertThat(Long.toBinaryString(bits)).as(where).isEqualTo(Long.toBinaryString(expected));
            }
        }
    }
}
