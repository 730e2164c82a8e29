package io.wheelcast.codec;

import io.netty.buffer.ByteBuf;

import java.util.ArrayList;
import java.util.List;

/**
 * A whole datagram as a value: header fields and frames. Encoding and decoding helpers for
 * tools and tests; they allocate, the engine does not use them.
 */
public record Datagram(int clusterId, long senderId, long sequence, long timestampMs, List<Frame> frames) {

    /** Result of {@link #decode}: a status and, when it is {@link DecodeStatus#OK}, the datagram. */
    public record Decoded(DecodeStatus status, Datagram datagram) {
    }

    /** Writes this datagram at {@code buf}'s writer index (no auth tag). */
    public void encode(ByteBuf buf) {
        DatagramWriter writer = new DatagramWriter(65_507, 0xFFFF, null);
        writer.begin(buf, clusterId, senderId, sequence, timestampMs);
        for (Frame f : frames) {
            boolean ok;
            if (f instanceof Frame.Schedule s) {
                ok = writer.appendSchedule(s.flags(), s.delayMs(), s.ownerId(), s.id(), 0, s.id().length, s.payload(), 0, s.payload().length);
            } else if (f instanceof Frame.Kill k) {
                ok = writer.appendKill(k.requestId(), k.id(), 0, k.id().length);
            } else if (f instanceof Frame.KillAck a) {
                ok = writer.appendKillAck(a.flags(), a.requestId(), a.cancellerId(), a.outcome(), a.id(), 0, a.id().length);
            } else if (f instanceof Frame.KillForward kf) {
                ok = writer.appendKillForward(kf.requestId(), kf.cancellerId(), kf.id(), 0, kf.id().length);
            } else if (f instanceof Frame.Heartbeat h) {
                ok = writer.appendHeartbeat(h.liveTimers(), h.intervalMs(), h.beat());
            } else if (f instanceof Frame.Settled st) {
                ok = writer.appendSettled(st.unsettledForMs());
            } else if (f instanceof Frame.Fired fi) {
                ok = writer.appendFired(fi.ownerId(), fi.id(), 0, fi.id().length);
            } else if (f instanceof Frame.Replicated r) {
                ok = writer.appendReplicated(r.ownerId(), r.id(), 0, r.id().length);
            } else if (f instanceof Frame.Members m) {
                int n = m.members().size();
                long[] ids = new long[n];
                int[] ports = new int[n];
                byte[][] addresses = new byte[n][];
                for (int i = 0; i < n; i++) {
                    ids[i] = m.members().get(i).nodeId();
                    ports[i] = m.members().get(i).port();
                    addresses[i] = m.members().get(i).address();
                }
                ok = writer.appendMembers(ids, ports, addresses, 0, n);
            } else {
                ok = writer.appendRaw(((Frame.Unknown) f).bytes());
            }
            if (!ok) {
                throw new IllegalArgumentException("frames do not fit in one datagram: " + frames.size());
            }
        }
        writer.finish();
    }

    /** Validates and decodes the readable bytes of {@code buf}. */
    public static Decoded decode(ByteBuf buf, DecoderLimits limits, long clusterId) {
        DatagramDecoder decoder = new DatagramDecoder(limits, clusterId);
        DecodeStatus status = decoder.validate(buf);
        if (status != DecodeStatus.OK) {
            return new Decoded(status, null);
        }
        HeaderFlyweight h = decoder.header();
        List<Frame> frames = new ArrayList<>(h.frameCount());
        Datagram d = new Datagram(h.clusterId(), h.senderId(), h.sequence(), h.timestampMs(), frames);
        decoder.dispatch(new FrameHandler() {
            @Override
            public void onSchedule(HeaderFlyweight header, ScheduleFlyweight f) {
                frames.add(new Frame.Schedule(f.frameFlags(), f.delayMs(), f.ownerId(), f.idCopy(), f.payloadCopy()));
            }

            @Override
            public void onKill(HeaderFlyweight header, KillFlyweight f) {
                frames.add(new Frame.Kill(f.requestId(), f.idCopy()));
            }

            @Override
            public void onKillAck(HeaderFlyweight header, KillAckFlyweight f) {
                frames.add(new Frame.KillAck(f.frameFlags(), f.requestId(), f.cancellerId(), f.outcome(), f.idCopy()));
            }

            @Override
            public void onKillForward(HeaderFlyweight header, KillForwardFlyweight f) {
                frames.add(new Frame.KillForward(f.requestId(), f.cancellerId(), f.idCopy()));
            }

            @Override
            public void onHeartbeat(HeaderFlyweight header, HeartbeatFlyweight f) {
                frames.add(new Frame.Heartbeat(f.liveTimers(), f.intervalMs(), f.beat()));
            }

            @Override
            public void onSettled(HeaderFlyweight header, SettledFlyweight f) {
                frames.add(new Frame.Settled(f.unsettledForMs()));
            }

            @Override
            public void onFired(HeaderFlyweight header, FiredFlyweight f) {
                frames.add(new Frame.Fired(f.ownerId(), f.idCopy()));
            }

            @Override
            public void onReplicated(HeaderFlyweight header, ReplicatedFlyweight f) {
                frames.add(new Frame.Replicated(f.ownerId(), f.idCopy()));
            }

            @Override
            public void onMembers(HeaderFlyweight header, MembersFlyweight f) {
                List<Frame.Member> list = new ArrayList<>(f.count());
                for (int i = 0; i < f.count(); i++) {
                    byte[] address = new byte[f.family(i) == MembersFlyweight.FAMILY_IPV4 ? 4 : MembersFlyweight.ADDRESS_LENGTH];
                    f.address(i, address);
                    list.add(new Frame.Member(f.nodeId(i), f.port(i), address));
                }
                frames.add(new Frame.Members(list));
            }

            @Override
            public void onUnknown(HeaderFlyweight header, FrameFlyweight f) {
                frames.add(new Frame.Unknown(f.type(), f.copy(0, f.frameLength())));
            }
        });
        return new Decoded(DecodeStatus.OK, d);
    }
}
