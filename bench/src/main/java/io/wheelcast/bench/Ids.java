package io.wheelcast.bench;

/**
 * Benchmark ids such as {@code job-000042}: the same text as {@code String.format("%s%0Nd")},
 * without its cost (setting up a W1 run formats 300,000 ids; String.format took seconds of
 * the run's wall time on these VMs).
 */
public final class Ids {
    private Ids() {
    }

    /** {@code prefix} followed by {@code n} as {@code digits} zero-padded decimal digits. */
    public static String of(String prefix, int n, int digits) {
        String number = Integer.toString(n);
        if (number.length() >= digits) {
            return prefix + number;
        }
        return prefix + "0".repeat(digits - number.length()) + number;
    }
}
