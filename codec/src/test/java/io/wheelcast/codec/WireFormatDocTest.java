package io.wheelcast.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/wire-format.md matches the code: its worked example is what the encoder writes. */
class WireFormatDocTest {
    @Test
    void workedExampleIsByteForByteWhatTheEncoderWrites() throws Exception {
        String doc = Files.readString(Path.of("../docs/wire-format.md"), StandardCharsets.UTF_8);
        String example = doc.substring(doc.indexOf("## Example"));
        int open = example.indexOf("```") + 3; // the section's first fenced block, whatever sections follow
        example = example.substring(open, example.indexOf("```", open));
        StringBuilder hex = new StringBuilder();
        for (String line : example.split("\n")) {
            hex.append(line.split(" {3,}")[0].replaceAll("\\s", "")); // hex, then 3+ spaces, then a comment
        }
        ByteBuf buf = Unpooled.buffer();
        new Datagram(7, 0x63, 1, 1000, List.of(new Frame.Kill(5, "job-42".getBytes(StandardCharsets.US_ASCII)))).encode(buf);
        assertThat(hex.toString()).isEqualTo(ByteBufUtil.hexDump(buf));
        buf.release();
    }

    @Test
    void documentedOffsetsMatchTheFlyweights() {
        assertThat(HeaderFlyweight.HEADER_LENGTH).isEqualTo(36);
        assertThat(HeaderFlyweight.FRAME_COUNT_OFFSET).isEqualTo(32);
        assertThat(HeaderFlyweight.KEY_ID_OFFSET).isEqualTo(34);
        assertThat(ScheduleFlyweight.ID_OFFSET).isEqualTo(24);
        assertThat(KillFlyweight.ID_OFFSET).isEqualTo(16);
        assertThat(KillAckFlyweight.OUTCOME_OFFSET).isEqualTo(20);
        assertThat(KillAckFlyweight.ID_OFFSET).isEqualTo(24);
        assertThat(HeartbeatFlyweight.LENGTH).isEqualTo(16);
        assertThat(FiredFlyweight.ID_OFFSET).isEqualTo(16);
        assertThat(MembersFlyweight.ENTRIES_OFFSET).isEqualTo(8);
        assertThat(MembersFlyweight.ENTRY_LENGTH).isEqualTo(28);
        assertThat(MembersFlyweight.ENTRY_PORT_OFFSET).isEqualTo(8);
        assertThat(MembersFlyweight.ENTRY_FAMILY_OFFSET).isEqualTo(10);
        assertThat(MembersFlyweight.ENTRY_ADDRESS_OFFSET).isEqualTo(12);
        assertThat(WireFormat.TYPE_MEMBERS).isEqualTo(7);
        assertThat(WireFormat.TYPE_KILL_FORWARD).isEqualTo(8);
        assertThat(KillForwardFlyweight.CANCELLER_OFFSET).isEqualTo(12);
        assertThat(KillForwardFlyweight.ID_LENGTH_OFFSET).isEqualTo(20);
        assertThat(KillForwardFlyweight.ID_OFFSET).isEqualTo(24);
        assertThat(WireFormat.TYPE_SETTLED).isEqualTo(9);
        assertThat(SettledFlyweight.UNSETTLED_FOR_OFFSET).isEqualTo(4);
        assertThat(SettledFlyweight.LENGTH).isEqualTo(8);
        assertThat(WireFormat.MAGIC & 0xFF).isEqualTo('W');
    }
}
