package io.wheelcast.examples;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.wheelcast.codec.Datagram;
import io.wheelcast.codec.DatagramDecoder;
import io.wheelcast.codec.DatagramWriter;
import io.wheelcast.codec.DecoderLimits;
import io.wheelcast.codec.Frame;
import io.wheelcast.codec.WireFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * A host on the LAN without the cluster key, doing its worst: replays every datagram it
 * captures (at once and again at the end), and for every timer id it overhears sends an
 * unauthenticated KILL, a KILL with a forged tag and a text kill. For scripts/lan.sh --attacker.
 */
@Command(name = "attack", mixinStandardHelpOptions = true,
        description = "Keyless attacker for the security demo: replay captured datagrams and forge kills for overheard ids.")
public final class Attack implements Callable<Integer> {
    @Mixin
    NodeOptions net;

    @Option(names = "--duration", defaultValue = "15s", converter = DurationConverter.class,
            description = "How long to attack (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Override
    public Integer call() throws Exception {
        InetSocketAddress target = new InetSocketAddress(InetAddress.getByName(net.groupAddress()), net.port);
        SecureRandom random = new SecureRandom();
        long mySender = random.nextLong();
        List<byte[]> captured = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        long replayed = 0;
        long forged = 0;
        try (DatagramChannel ch = net.openRawGroupChannel(false)) { // no loopback: never replay our own sends
            ByteBuffer in = ByteBuffer.allocate(65_536);
            DatagramWriter writer = new DatagramWriter(1400, 16, null);
            ByteBuf out = Unpooled.buffer(2048);
            long seq = 0;
            long end = System.nanoTime() + duration.toNanos();
            while (System.nanoTime() < end) {
                in.clear();
                if (ch.receive(in) == null) {
                    Thread.sleep(1);
                    continue;
                }
                in.flip();
                byte[] bytes = new byte[in.remaining()];
                in.get(bytes);
                captured.add(bytes);
                ch.send(ByteBuffer.wrap(bytes), target);
                replayed++;
                Datagram.Decoded d = Datagram.decode(Unpooled.wrappedBuffer(bytes), DecoderLimits.DEFAULT, DatagramDecoder.ANY_CLUSTER);
                if (d.datagram() == null) {
                    continue;
                }
                for (Frame f : d.datagram().frames()) {
                    byte[] id = f instanceof Frame.Schedule s ? s.id() : f instanceof Frame.Kill k ? k.id() : null;
                    if (id == null || !ids.add(new String(id, StandardCharsets.UTF_8))) {
                        continue;
                    }
                    // 1. unauthenticated KILL in the cluster's own header format
                    out.clear();
                    writer.begin(out, d.datagram().clusterId(), mySender, ++seq, System.currentTimeMillis());
                    writer.appendKill(random.nextLong(), id, 0, id.length);
                    writer.finish();
                    ch.send(out.nioBuffer(), target);
                    // 2. the same with the authenticated flag, the victim's key id and a random tag
                    out.setByte(3, WireFormat.FLAG_AUTHENTICATED);
                    out.setByte(34, bytes[34]);
                    byte[] tag = new byte[WireFormat.AUTH_TAG_LENGTH];
                    random.nextBytes(tag);
                    out.setLongLE(16, ++seq);
                    out.writeBytes(tag);
                    ch.send(out.nioBuffer(), target);
                    // 3. the classic text kill
                    ch.send(ByteBuffer.wrap(("kill:" + new String(id, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)), target);
                    forged += 3;
                }
            }
            for (byte[] b : captured) { // late replays: stale by then, or duplicates
                ch.send(ByteBuffer.wrap(b), target);
                replayed++;
            }
        }
        System.out.println("attack: captured=" + captured.size() + " replayed=" + replayed + " overheard_ids=" + ids.size()
                + " forged_kills=" + forged);
        return 0;
    }
}
