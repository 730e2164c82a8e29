package io.wheelcast.engine.protocol;

import io.wheelcast.engine.CancelListener;
import io.wheelcast.engine.Counter;
import io.wheelcast.engine.ExpiryListener;
import io.wheelcast.engine.MemberEvent;
import io.wheelcast.engine.MembershipListener;
import io.wheelcast.engine.TimerExpiry;
import io.wheelcast.engine.counters.Counters;
import io.wheelcast.engine.registry.IdIndex;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Everything that leaves the loop for user code: futures completed on the completion executor,
 * listeners run on the executors their users chose. No user code ever runs on the loop; a
 * listener that throws or an executor that refuses is counted, never propagated. Each hand-off
 * is written out (no shared helper) so it allocates one task, not two.
 */
final class UserHandoff {
    private static final byte[] EMPTY = new byte[0];

    private final Counters counters;
    private final Executor completions;
    private ExpiryListener expiryListener;
    private Executor expiryExecutor;
    private CancelListener cancelListener;
    private Executor cancelExecutor;
    private MembershipListener membershipListener;
    private Executor membershipExecutor;

    UserHandoff(Counters counters, Executor completions) {
        this.counters = counters;
        this.completions = completions;
    }

    void onExpire(ExpiryListener listener, Executor executor) {
        this.expiryListener = listener;
        this.expiryExecutor = executor;
    }

    void onRemoteCancel(CancelListener listener, Executor executor) {
        this.cancelListener = listener;
        this.cancelExecutor = executor;
    }

    void onMembership(MembershipListener listener, Executor executor) {
        this.membershipListener = listener;
        this.membershipExecutor = executor;
    }

    /** Completes off the loop so no user continuation ever runs on it. */
    <T> void complete(CompletableFuture<T> f, T value) {
        try {
            completions.execute(() -> f.complete(value));
        } catch (RejectedExecutionException e) {
            f.complete(value);
        }
    }

    <T> void fail(CompletableFuture<T> f, Throwable error) {
        try {
            completions.execute(() -> f.completeExceptionally(error));
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(error);
        }
    }

    /**
     * A timer fired here: the expiry listener gets the id (copied only when someone listens).
     * Returns the delivery whose return the loop waits for before it tells the holders, or null
     * when nobody listens or the executor refused it (then nothing will come back).
     */
    ListenerReturns.Delivery expired(IdIndex ids, int h, byte[] payload, long deadlineMs, long firedAtMs, long adoptedFrom,
                                     ListenerReturns returns) {
        ExpiryListener l = expiryListener;
        if (l == null) {
            return null;
        }
        TimerExpiry expiry = new TimerExpiry(ids.idCopy(h), payload == null ? EMPTY : payload, deadlineMs, firedAtMs, adoptedFrom);
        ListenerReturns.Delivery d = returns.begin(l, expiry, h, deadlineMs, firedAtMs);
        try {
            expiryExecutor.execute(d);
        } catch (RejectedExecutionException rejected) {
            counters.increment(Counter.LISTENER_REJECTED);
            returns.abandon(d);
            return null;
        }
        return d;
    }

    /** Another node cancelled one of our timers. */
    void remoteCancel(IdIndex ids, int h, long canceller) {
        CancelListener l = cancelListener;
        if (l == null) {
            return;
        }
        byte[] id = ids.idCopy(h);
        try {
            cancelExecutor.execute(() -> {
                try {
                    l.onRemoteCancel(id, canceller);
                } catch (Throwable t) {
                    counters.incrementConcurrent(Counter.LISTENER_FAILURES);
                }
            });
        } catch (RejectedExecutionException rejected) {
            counters.increment(Counter.LISTENER_REJECTED);
        }
    }

    void memberEvent(MemberEvent.Type type, long member) {
        MembershipListener l = membershipListener;
        if (l == null) {
            return;
        }
        MemberEvent event = new MemberEvent(type, member);
        try {
            membershipExecutor.execute(() -> {
                try {
                    l.onMemberEvent(event);
                } catch (Throwable t) {
                    counters.incrementConcurrent(Counter.LISTENER_FAILURES);
                }
            });
        } catch (RejectedExecutionException rejected) {
            counters.increment(Counter.LISTENER_REJECTED);
        }
    }
}
