package io.wheelcast.codec;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A shared secret and the id that names it on the wire. {@link #toString()} never shows the
 * secret.
 *
 * @param keyId  1..255, written in every datagram's header
 * @param secret at least 16 bytes (32 random bytes recommended)
 */
public record ClusterKey(int keyId, byte[] secret) {
    public ClusterKey {
        if (keyId < 1 || keyId > 255) {
            throw new IllegalArgumentException("keyId must be in [1, 255], got " + keyId);
        }
        if (secret == null || secret.length < 16) {
            throw new IllegalArgumentException("a cluster key needs at least 16 bytes of secret");
        }
        secret = secret.clone();
    }

    /** Parses {@code "ID:HEX"}, e.g. {@code 1:9f86d081884c7d659a2feaa0c55ad015}. */
    public static ClusterKey parse(String spec) {
        int colon = spec.indexOf(':');
        if (colon < 1) {
            throw new IllegalArgumentException("key must be written as ID:HEX (e.g. 1:00112233...)");
        }
        int id;
        byte[] secret;
        try {
            id = Integer.parseInt(spec.substring(0, colon).trim());
            secret = HexFormat.of().parseHex(spec.substring(colon + 1).trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key must be written as ID:HEX (e.g. 1:00112233...)");
        }
        return new ClusterKey(id, secret);
    }

    @Override
    public byte[] secret() {
        return secret.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterKey k && k.keyId == keyId && Arrays.equals(k.secret, secret);
    }

    @Override
    public int hashCode() {
        return keyId;
    }

    @Override
    public String toString() {
        return "ClusterKey{keyId=" + keyId + ", secret=(" + secret.length + " bytes, hidden)}";
    }
}
