package io.wheelcast.codec;

import io.netty.buffer.ByteBuf;

/**
 * REPLICATED (type 6): "I hold a replica of this timer". Sent by a node that stored a SCHEDULE
 * when it is the owner's designated backup, or when the SCHEDULE asked every holder to answer
 * ({@link ScheduleFlyweight#FLAG_ACK_ANY}). The owner stops re-sending the SCHEDULE once some
 * live member holds it, so a crash of the owner cannot lose the timer. Layout:
 * {@link OwnerIdFrameFlyweight} (the owner whose timer is acknowledged, timer id).
 */
public final class ReplicatedFlyweight extends OwnerIdFrameFlyweight {
    @Override
    public ReplicatedFlyweight wrap(ByteBuf buf, int offset) {
        super.wrap(buf, offset);
        return this;
    }

    public ReplicatedFlyweight write(long ownerId, byte[] id, int idOff, int idLen) {
        writeOwnerId(WireFormat.TYPE_REPLICATED, ownerId, id, idOff, idLen);
        return this;
    }

    @Override
    public String toString() {
        return "REPLICATED{owner=" + Long.toHexString(ownerId()) + ", idLength=" + idLength() + '}';
    }
}
