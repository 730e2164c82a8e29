package io.wheelcast.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Job ids are whatever clients send: every reply and outbox line the job server writes must
 * stay valid JSON and give the id back unchanged (string building once wrote {@code "q"x"}).
 */
class JobJsonTest {
    private static final List<String> HOSTILE_IDS = List.of(
            "q\"x", "back\\slash", "\\\"", "tab\there", "nl\nline", "nul\u0000byte", "bell\u0007",
            "caf\u00e9", "\u65e5\u672c\u8a9e", "emoji-\ud83d\ude00", "</script>", "{\"job\":\"forged\"}", "plain-42");

    private final ObjectMapper plain = new ObjectMapper(); // an independent parser, as a client would use

    @Test
    void everyReplyAndOutboxLineParsesBackWithTheIdUnchanged() throws Exception {
        for (String id : HOSTILE_IDS) {
            String created = JobJson.write(new JobJson.Created(id, "ab12", 2000, "RUNNING"));
            String state = JobJson.write(new JobJson.JobState(id, "RUNNING"));
            String cancel = JobJson.write(new JobJson.CancelReply(id, "CANCELLED", "ab12", 1.25));
            String error = JobJson.write(JobJson.Message.error("job " + id + " is not owned by this host"));
            String email = JobJson.write(new JobJson.Email(id, "ab12", "2026-11-30T00:00:00Z", "Your job " + id + " timed out"));
            for (String json : List.of(created, state, cancel, error, email)) {
                assertThat(json).as("one line per outbox entry, id %s", id).doesNotContain("\n");
            }
            assertThat(plain.readTree(created).get("id").asText()).isEqualTo(id);
            assertThat(plain.readTree(created).get("timeoutMs").asLong()).isEqualTo(2000);
            assertThat(plain.readTree(state).get("id").asText()).isEqualTo(id);
            JsonNode c = plain.readTree(cancel);
            assertThat(c.get("id").asText()).isEqualTo(id);
            assertThat(c.get("ms").asDouble()).isEqualTo(1.25);
            assertThat(plain.readTree(error).get("error").asText()).isEqualTo("job " + id + " is not owned by this host");
            assertThat(plain.readTree(error).has("status")).as("absent fields are left out").isFalse();
            assertThat(JobJson.read(email, JobJson.Email.class).job()).isEqualTo(id);
        }
    }

    @Test
    void healthSaysOkAndNothingElse() throws Exception {
        assertThat(JobJson.write(new JobJson.Message(null, "ok"))).isEqualTo("{\"status\":\"ok\"}");
    }
}
