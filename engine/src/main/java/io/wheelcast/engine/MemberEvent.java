package io.wheelcast.engine;

/**
 * A change in the membership view of one node, handed to a {@link MembershipListener}.
 *
 * @param type     what happened
 * @param memberId the member's node id ({@link WheelcastNode#nodeId()} on that node; a restarted
 *                 process has a new one, so it joins as a new member)
 */
public record MemberEvent(Type type, long memberId) {
    public enum Type {
        /** First heartbeat heard from this member. */
        JOINED,
        /** Silent for longer than the failure timeout: declared dead, its timers are taken over. */
        DEAD,
        /** Said goodbye ({@link WheelcastNode#close()}): its timers are taken over at once. */
        LEFT,
        /** Heard again after being declared dead (it was paused or cut off, not crashed). */
        REVIVED
    }

    @Override
    public String toString() {
        return type + " " + Long.toHexString(memberId);
    }
}
