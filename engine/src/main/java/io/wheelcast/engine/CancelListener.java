package io.wheelcast.engine;

/**
 * Told on the owner when one of its timers is cancelled by another node (or by a text kill),
 * so the owner can stop the work the timer guarded. Runs on the executor given to
 * {@link WheelcastNode#onRemoteCancel}.
 */
@FunctionalInterface
public interface CancelListener {
    /**
     * @param id          the timer id (a fresh copy)
     * @param cancellerId the node that sent the kill, 0 for a text kill
     */
    void onRemoteCancel(byte[] id, long cancellerId);
}
