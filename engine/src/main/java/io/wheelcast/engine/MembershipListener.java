package io.wheelcast.engine;

/** Receives membership changes; see {@link WheelcastNode#onMembership}. */
@FunctionalInterface
public interface MembershipListener {
    void onMemberEvent(MemberEvent event);
}
