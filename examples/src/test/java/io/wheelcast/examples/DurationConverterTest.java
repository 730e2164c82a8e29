package io.wheelcast.examples;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Command-line durations: every unit the options document, and a clear error otherwise. */
class DurationConverterTest {
    @Test
    void parsesEveryDocumentedUnit() {
        assertThat(DurationConverter.parse("200us")).isEqualTo(Duration.ofNanos(200_000));
        assertThat(DurationConverter.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(DurationConverter.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(DurationConverter.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(DurationConverter.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(DurationConverter.parse("40")).isEqualTo(Duration.ofMillis(40));
    }

    @Test
    void rejectsWhatIsNotADuration() {
        assertThatThrownBy(() -> DurationConverter.parse("soon")).hasMessageContaining("'soon' is not a duration");
    }
}
