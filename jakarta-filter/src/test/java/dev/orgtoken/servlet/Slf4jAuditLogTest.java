package dev.orgtoken.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.testkit.TestClock;
import jakarta.servlet.DispatcherType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import org.junit.jupiter.api.Test;
import org.slf4j.event.EventRecordingLogger;
import org.slf4j.event.Level;
import org.slf4j.event.SubstituteLoggingEvent;
import org.slf4j.helpers.SubstituteLogger;

/**
 * {@link Slf4jAuditLog}: refusals at INFO, passes at DEBUG, one clean line each, and at most so many
 * lines a second, the rest counted. SLF4J's own recording logger stands in for the backend; the
 * clock is a {@link TestClock}, so the rate limit is checked without waiting.
 */
class Slf4jAuditLogTest {
    private final Queue<SubstituteLoggingEvent> lines = new ArrayDeque<>();
    private final TestClock clock = new TestClock(Instant.parse("2026-12-04T10:00:00Z"));

    private EventRecordingLogger logger(boolean debug) {
        SubstituteLogger named = new SubstituteLogger(Slf4jAuditLog.LOGGER_NAME, lines, false);
        return new EventRecordingLogger(named, lines) {
            @Override
            public boolean isDebugEnabled() {
                return debug;
            }
        };
    }

    private static DecisionEvent refusal(String subject) {
        return new DecisionEvent(DecisionEvent.Outcome.REFUSE, "MISSING_ROLES", 403, "orgtoken.yaml:31",
                DispatcherType.REQUEST, "GET", "/api/billing", subject, "spa", "o1", "default", null, "Xy3",
                Instant.parse("2026-12-04T10:00:00Z"), Duration.ofNanos(210_000));
    }

    private static DecisionEvent pass() {
        return new DecisionEvent(DecisionEvent.Outcome.PASS, "TOKEN", 0, "orgtoken.yaml:11", DispatcherType.REQUEST,
                "GET", "/api/me", "u-7", "spa", null, "default", "agent-3", "Ab9", Instant.parse("2026-12-04T10:00:00Z"),
                Duration.ofNanos(50_000));
    }

    @Test
    void refusalsAtInfoPassesAtDebugOneLineEach() {
        Slf4jAuditLog audit = new Slf4jAuditLog(logger(true), 100, clock);
        audit.decided(refusal("u-7"));
        audit.decided(pass());
        SubstituteLoggingEvent refused = lines.poll();
        assertEquals(Level.INFO, refused.getLevel());
        assertEquals(Slf4jAuditLog.LOGGER_NAME, refused.getLoggerName());
        assertEquals("refuse 403 MISSING_ROLES GET /api/billing rule=orgtoken.yaml:31 dispatch=REQUEST sub=u-7 client=spa"
                + " org=o1 tenant=default actor=- jti=Xy3 took=0.21ms", refused.getMessage());
        SubstituteLoggingEvent passed = lines.poll();
        assertEquals(Level.DEBUG, passed.getLevel());
        assertEquals("pass TOKEN GET /api/me rule=orgtoken.yaml:11 dispatch=REQUEST sub=u-7 client=spa org=- tenant=default"
                + " actor=agent-3 jti=Ab9 took=0.05ms", passed.getMessage());
    }

    @Test
    void aValueCannotBreakTheLine() {
        Slf4jAuditLog audit = new Slf4jAuditLog(logger(true), 100, clock);
        audit.decided(refusal("evil\r\nrefuse 200 FORGED line\u2028" + "x".repeat(300)));
        String line = lines.poll().getMessage();
        assertTrue(line.contains("sub=evil??refuse?200?FORGED?line?xxx"), line);
        assertTrue(line.lines().count() == 1, line);
        assertTrue(line.contains("x".repeat(90) + "... client=spa"), "values are bounded: " + line);
    }

    @Test
    void passesCostNothingWhenDebugIsOff() {
        Slf4jAuditLog audit = new Slf4jAuditLog(logger(false), 1, clock);
        for (int i = 0; i < 10; i++) {
            audit.decided(pass());
        }
        assertTrue(lines.isEmpty());
        audit.decided(refusal("u-7"));
        assertEquals(1, lines.size(), "the disabled passes did not spend the budget");
    }

    @Test
    void aFloodIsCutToTheRateAndCounted() {
        Slf4jAuditLog audit = new Slf4jAuditLog(logger(true), 100, clock);
        for (int i = 0; i < 250; i++) {
            audit.decided(refusal("u-" + i));
        }
        assertEquals(100, lines.size(), "a burst of one second's worth");
        lines.clear();
        clock.advance(Duration.ofMillis(10));
        audit.decided(refusal("after"));
        assertEquals(1, lines.size(), "one more after a hundredth of a second");
        assertTrue(lines.poll().getMessage().endsWith("(150 audit lines suppressed before this one)"));
        audit.decided(refusal("again"));
        assertTrue(lines.isEmpty());
        clock.advance(Duration.ofSeconds(1));
        for (int i = 0; i < 100; i++) {
            audit.decided(refusal("u-" + i));
        }
        assertEquals(100, lines.size());
        assertEquals(List.of(), lines.stream().filter(l -> l.getMessage().contains("\n")).toList());
    }
}
