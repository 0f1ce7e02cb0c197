package dev.orgtoken.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Durations and variable substitution, below the file level. */
class ScalarsTest {

    @Test
    void durations() {
        assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
        assertEquals(Duration.ofSeconds(60), Durations.parse("60s"));
        assertEquals(Duration.ofMinutes(10), Durations.parse("10m"));
        assertEquals(Duration.ofHours(24), Durations.parse("24h"));
        assertEquals(Duration.ofMinutes(1), Durations.parse("PT1M"));
        assertEquals(Duration.ofSeconds(90), Durations.parse("pt1m30s"));
        assertEquals(Duration.ZERO, Durations.parse("0s"));
        assertEquals("duration '60' has no unit, which is ambiguous (write 60s, 60ms, 60m or 60h)",
                assertThrows(IllegalArgumentException.class, () -> Durations.parse("60")).getMessage());
        assertEquals("invalid duration '-5s' (expected a number with a unit: 500ms, 60s, 10m, 24h, or ISO-8601 like PT1M)",
                assertThrows(IllegalArgumentException.class, () -> Durations.parse("-5s")).getMessage());
        assertEquals("duration '1.5s' has unknown unit '.5s' (use ms, s, m or h, or ISO-8601 like PT1M)",
                assertThrows(IllegalArgumentException.class, () -> Durations.parse("1.5s")).getMessage());
        assertEquals("duration '9999999999999999h' is too large",
                assertThrows(IllegalArgumentException.class, () -> Durations.parse("9999999999999999h")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Durations.parse(""));
    }

    @Test
    void substitution() {
        Map<String, String> vars = Map.of("A", "1", "B.c", "two", "EMPTY", "", "NESTED", "${A}");
        assertEquals("x1y", Substitution.apply("x${A}y", vars::get));
        assertEquals("1-two", Substitution.apply("${A}-${B.c}", vars::get));
        assertEquals("d", Substitution.apply("${MISSING:-d}", vars::get));
        assertEquals("", Substitution.apply("${MISSING:-}", vars::get));
        assertEquals("d", Substitution.apply("${EMPTY:-d}", vars::get), "empty uses the default, like a shell");
        assertEquals("", Substitution.apply("${EMPTY}", vars::get));
        assertEquals("a:-b", Substitution.apply("${MISSING:-a:-b}", vars::get));
        assertEquals("${A}", Substitution.apply("${NESTED}", vars::get), "substituted text is not scanned again");
        assertEquals("$A $ {A} $", Substitution.apply("$A $ {A} $", vars::get));
        assertEquals("no variables", Substitution.apply("no variables", vars::get));
        assertEquals("variable 'MISSING' is not set and has no default (set it, or write ${MISSING:-default})",
                assertThrows(IllegalArgumentException.class, () -> Substitution.apply("${MISSING}", vars::get))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> Substitution.apply("${}", vars::get));
        assertThrows(IllegalArgumentException.class, () -> Substitution.apply("${A B}", vars::get));
        assertThrows(IllegalArgumentException.class, () -> Substitution.apply("x ${A", vars::get));
    }
}
