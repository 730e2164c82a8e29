package io.wheelcast.codec;

import io.netty.buffer.ByteBuf;

/**
 * FIRED (type 5): the owner's timer expired and its listener was handed the expiry; replicas
 * mark their copy finished. Layout: {@link OwnerIdFrameFlyweight} (owner id, timer id).
 */
public final class FiredFlyweight extends OwnerIdFrameFlyweight {
    @Override
    public FiredFlyweight wrap(ByteBuf buf, int offset) {
        super.wrap(buf, offset);
        return this;
    }

    public FiredFlyweight write(long ownerId, byte[] id, int idOff, int idLen) {
        writeOwnerId(WireFormat.TYPE_FIRED, ownerId, id, idOff, idLen);
        return this;
    }

    @Override
    public String toString() {
        return "FIRED{owner=" + Long.toHexString(ownerId()) + ", idLength=" + idLength() + '}';
    }
}
