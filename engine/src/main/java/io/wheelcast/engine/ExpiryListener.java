package io.wheelcast.engine;

/** Called once per expired timer, on the executor given to {@link WheelcastNode#onExpire}. */
@FunctionalInterface
public interface ExpiryListener {
    void onExpire(TimerExpiry expiry);
}
