package io.wheelcast.codec;

/**
 * Receives the frames of a validated datagram, in order. The flyweights are only valid during
 * the call; copy what must outlive it.
 */
public interface FrameHandler {
    void onSchedule(HeaderFlyweight header, ScheduleFlyweight frame);

    void onKill(HeaderFlyweight header, KillFlyweight frame);

    void onKillAck(HeaderFlyweight header, KillAckFlyweight frame);

    void onHeartbeat(HeaderFlyweight header, HeartbeatFlyweight frame);

    void onFired(HeaderFlyweight header, FiredFlyweight frame);

    void onReplicated(HeaderFlyweight header, ReplicatedFlyweight frame);

    /** Unicast mode's member list; ignored by default (multicast nodes need no addresses). */
    default void onMembers(HeaderFlyweight header, MembersFlyweight frame) {
    }

    /** A KILL passed on by a replica's holder (unicast mode); ignored by default. */
    default void onKillForward(HeaderFlyweight header, KillForwardFlyweight frame) {
    }

    /** How far the sender's expiries are settled; ignored by default. */
    default void onSettled(HeaderFlyweight header, SettledFlyweight frame) {
    }

    /** A frame type this codec does not know; it was skipped by its length. */
    default void onUnknown(HeaderFlyweight header, FrameFlyweight frame) {
    }
}
