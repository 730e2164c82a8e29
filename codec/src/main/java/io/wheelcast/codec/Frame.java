package io.wheelcast.codec;

/**
 * A decoded frame as a plain value, for tools and tests. The engine uses the flyweights instead
 * (these allocate).
 */
public sealed interface Frame permits Frame.Schedule, Frame.Kill, Frame.KillAck, Frame.KillForward, Frame.Heartbeat, Frame.Fired, Frame.Replicated, Frame.Members, Frame.Settled, Frame.Unknown {

    /** @param flags frame flags: {@link ScheduleFlyweight#FLAG_ACK_ANY}, {@link ScheduleFlyweight#FLAG_ADOPTED} */
    record Schedule(int flags, long delayMs, long ownerId, byte[] id, byte[] payload) implements Frame {
        public Schedule(long delayMs, long ownerId, byte[] id, byte[] payload) {
            this(0, delayMs, ownerId, id, payload);
        }
    }

    record Kill(long requestId, byte[] id) implements Frame {
    }

    /**
     * @param flags   frame flags: {@link KillAckFlyweight#FLAG_FOR_DEAD_OWNER}
     * @param outcome {@link KillAckFlyweight#OUTCOME_CANCELLED} or {@link KillAckFlyweight#OUTCOME_ALREADY_FIRED}
     */
    record KillAck(int flags, long requestId, long cancellerId, int outcome, byte[] id) implements Frame {
        public KillAck(long requestId, long cancellerId, int outcome, byte[] id) {
            this(0, requestId, cancellerId, outcome, id);
        }
    }

    /** A holder passing a routed KILL on to the owner, naming the canceller to answer. */
    record KillForward(long requestId, long cancellerId, byte[] id) implements Frame {
    }

    /** @param intervalMs 0 means goodbye; @param beat the sender's heartbeat counter */
    record Heartbeat(long liveTimers, long intervalMs, long beat) implements Frame {
    }

    record Fired(long ownerId, byte[] id) implements Frame {
    }

    record Replicated(long ownerId, byte[] id) implements Frame {
    }

    /** One MEMBERS entry; {@code address} is 4 (IPv4) or 16 (IPv6) bytes, as written. */
    record Member(long nodeId, int port, byte[] address) {
    }

    record Members(java.util.List<Member> members) implements Frame {
    }

    /** @param unsettledForMs how long the sender's oldest expiry whose listener has not returned has waited; 0: none */
    record Settled(long unsettledForMs) implements Frame {
    }

    /** A frame of a type this codec does not know: the whole frame, header included. */
    record Unknown(int type, byte[] bytes) implements Frame {
    }
}
