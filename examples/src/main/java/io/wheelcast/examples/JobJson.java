package io.wheelcast.examples;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The job server's JSON, written and read by Jackson: HTTP replies and outbox lines (the
 * outbox is the file that stands for the emails). A job id is whatever the client sent, so
 * quotes, backslashes, control characters and non-ASCII must come out as valid JSON.
 */
final class JobJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private JobJson() {
    }

    /** 201 to {@code POST /jobs}. */
    record Created(String id, String owner, long timeoutMs, String state) {
    }

    /** 200 to {@code GET /jobs/ID}. */
    record JobState(String id, String state) {
    }

    /** The answer to {@code DELETE /jobs/ID}: the cancel's outcome, its owner (hex, empty if none) and its time. */
    record CancelReply(String id, String outcome, String owner, double ms) {
    }

    /** Every 4xx/5xx body ({@code error}), and {@code /health}'s ({@code status}). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Message(String error, String status) {
        static Message error(String text) {
            return new Message(text, null);
        }
    }

    /** One outbox line: the failure email for a job that timed out. */
    record Email(String job, String owner, String at, String subject) {
    }

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    static <T> T read(String json, Class<T> type) throws JsonProcessingException {
        return MAPPER.readValue(json, type);
    }
}
