package io.wheelcast.engine.registry;

import io.wheelcast.codec.IdBytes;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The id index agrees with a HashMap under any mix of inserts and backward-shift removals, with
 * the real hash and with a hash so weak that different ids share it (slots carry the hash, so a
 * hash match must still compare the ids).
 */
class IdIndexProperties {
    @Test
    void behavesLikeAMap() {
        qt().withExamples(200).forAll(longs().all(), integers().between(1, 300))
                .checkAssert((seed, capacity) -> check(seed, capacity, false));
    }

    @Test
    void behavesLikeAMapWhenHashesCollide() {
        qt().withExamples(100).forAll(longs().all(), integers().between(1, 300))
                .checkAssert((seed, capacity) -> check(seed, capacity, true));
    }

    private static int hash(byte[] id, boolean weak) {
        int h = IdBytes.hash(id, 0, id.length);
        return weak ? h % 5 : h; // five hash values in all: long shared probe chains, equal tags for different ids
    }

    private static void check(long seed, int capacity, boolean weakHash) {
        SplittableRandom r = new SplittableRandom(seed);
        IdIndex index = new IdIndex(capacity, 16);
        Map<String, Integer> model = new HashMap<>();
        Deque<Integer> free = new ArrayDeque<>();
        for (int h = 0; h < capacity; h++) {
            free.push(h);
        }
        for (int step = 0; step < 2_000; step++) {
            String key = "k" + r.nextInt(capacity * 2); // small key space: many collisions and reuses
            byte[] id = key.getBytes(StandardCharsets.US_ASCII);
            int hash = hash(id, weakHash);
            int found = index.find(id, 0, id.length, hash);
            Integer expected = model.get(key);
            assertThat(found).as("seed=%d capacity=%d weak=%s step=%d key=%s", seed, capacity, weakHash, step, key).isEqualTo(expected == null ? -1 : expected);
            if (expected == null && !free.isEmpty() && r.nextBoolean()) {
                int h = free.pop();
                index.insert(h, id, 0, id.length, hash);
                model.put(key, h);
            } else if (expected != null && r.nextBoolean()) {
                index.remove(expected);
                model.remove(key);
                free.push(expected);
            }
        }
        for (Map.Entry<String, Integer> e : model.entrySet()) {
            byte[] id = e.getKey().getBytes(StandardCharsets.US_ASCII);
            assertThat(index.find(id, 0, id.length, hash(id, weakHash))).isEqualTo(e.getValue());
            assertThat(index.idCopy(e.getValue())).isEqualTo(id);
        }
    }
}
