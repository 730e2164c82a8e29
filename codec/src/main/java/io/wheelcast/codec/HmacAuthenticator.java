package io.wheelcast.codec;

import io.netty.buffer.ByteBuf;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;

/**
 * HMAC-SHA-256 over the header and frames, truncated to {@link WireFormat#AUTH_TAG_LENGTH}
 * bytes. Signs with the current key; verifies with the current or the previous one (two keys
 * live at once for rotation). One instance per thread: it reuses its {@link Mac}s and buffers.
 */
public final class HmacAuthenticator implements DatagramSigner {
    /** Result of {@link #verify}. */
    public enum Verdict {
        OK, MISSING, UNKNOWN_KEY, BAD_TAG
    }

    private final int currentId;
    private final Mac current;
    private final int previousId;
    private final Mac previous;
    private final byte[] scratch = new byte[65_536];
    private final byte[] tag = new byte[32];
    private final byte[] received = new byte[WireFormat.AUTH_TAG_LENGTH];

    /**
     * @param current  key to sign with (and accepted)
     * @param previous a second accepted key during rotation, or null
     */
    public HmacAuthenticator(ClusterKey current, ClusterKey previous) {
        if (previous != null && previous.keyId() == current.keyId()) {
            throw new IllegalArgumentException("the two keys need different key ids");
        }
        this.currentId = current.keyId();
        this.current = mac(current);
        this.previousId = previous == null ? -1 : previous.keyId();
        this.previous = previous == null ? null : mac(previous);
    }

    private static Mac mac(ClusterKey key) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key.secret(), "HmacSHA256"));
            return m;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    @Override
    public int keyId() {
        return currentId;
    }

    @Override
    public void sign(ByteBuf buf, int start, int signedLength) {
        compute(current, buf, start, signedLength);
        buf.setBytes(start + signedLength, tag, 0, WireFormat.AUTH_TAG_LENGTH);
    }

    /**
     * Checks the tag of a datagram the decoder accepted: {@code start} is its first byte,
     * {@code framesEnd} the index where its tag begins.
     */
    public Verdict verify(HeaderFlyweight header, ByteBuf buf, int start, int framesEnd) {
        if (!header.authenticated()) {
            return Verdict.MISSING;
        }
        int keyId = header.keyId();
        Mac mac = keyId == currentId ? current : keyId == previousId ? previous : null;
        if (mac == null) {
            return Verdict.UNKNOWN_KEY;
        }
        compute(mac, buf, start, framesEnd - start);
        buf.getBytes(framesEnd, received);
        // Constant-time comparison of the truncated tags.
        int diff = 0;
        for (int i = 0; i < WireFormat.AUTH_TAG_LENGTH; i++) {
            diff |= tag[i] ^ received[i];
        }
        return diff == 0 ? Verdict.OK : Verdict.BAD_TAG;
    }

    private void compute(Mac mac, ByteBuf buf, int start, int length) {
        if (buf.hasArray()) {
            mac.update(buf.array(), buf.arrayOffset() + start, length);
        } else {
            buf.getBytes(start, scratch, 0, length);
            mac.update(scratch, 0, length);
        }
        try {
            mac.doFinal(tag, 0);
        } catch (javax.crypto.ShortBufferException e) {
            throw new IllegalStateException(e);
        }
    }
}
