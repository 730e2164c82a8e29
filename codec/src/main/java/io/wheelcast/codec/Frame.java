package io.wheelcast.codec;

/**
 * A decoded frame as a plain value, for tools and tests. The engine uses the flyweights instead
 * (these allocate).
 */
public sealed interface Frame permits Frame.Schedule, Frame.Kill, Frame.KillAck, Frame.Heartbeat, Frame.Fired, Frame.Unknown {

    record Schedule(long delayMs, long ownerId, byte[] id, byte[] payload) implements Frame {
    }

    record Kill(long requestId, byte[] id) implements Frame {
    }

    /** @param outcome {@link KillAckFlyweight#OUTCOME_CANCELLED} or {@link KillAckFlyweight#OUTCOME_ALREADY_FIRED} */
    record KillAck(long requestId, long cancellerId, int outcome, byte[] id) implements Frame {
    }

    record Heartbeat(long liveTimers, long intervalMs, long incarnation) implements Frame {
    }

    record Fired(long ownerId, byte[] id) implements Frame {
    }

    /** A frame of a type this codec does not know: the whole frame, header included. */
    record Unknown(int type, byte[] bytes) implements Frame {
    }
}
