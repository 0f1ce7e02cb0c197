package dev.orgtoken.servlet;

import java.time.Clock;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link DecisionListener} that writes one line per decision to the SLF4J logger
 * {@value #LOGGER_NAME}: refusals at INFO, passes at DEBUG, so production logs keep every refusal
 * and a switch of one logger's level shows every pass. At most {@code linesPerSecond} lines are
 * written (100 by default, with bursts of as many): a flood of requests cannot fill a disk; what is
 * held back is counted, and the next line written says how many were.
 *
 * <pre>
 * refuse 403 MISSING_ROLES GET /api/billing rule=orgtoken.yaml:31 dispatch=REQUEST sub=u-7 client=spa org=o1 tenant=default actor=- jti=Xy3 took=0.21ms
 * pass TOKEN GET /api/me rule=orgtoken.yaml:11 dispatch=REQUEST sub=u-7 client=spa org=- tenant=default actor=agent-3 jti=Ab9 took=0.05ms
 * </pre>
 *
 * Values are never the token; each is at most 128 characters, with control characters replaced, so
 * a line is one line. In the rules file: {@code audit: [dev.orgtoken.servlet.Slf4jAuditLog]}.
 */
public final class Slf4jAuditLog implements DecisionListener {
    /** The logger every line goes to. */
    public static final String LOGGER_NAME = "dev.orgtoken.audit";
    /** Lines per second unless another limit is given. */
    public static final int DEFAULT_LINES_PER_SECOND = 100;
    private static final int MAX_VALUE_LENGTH = 128;

    private final Logger log;
    private final RateLimit limit;

    /** Writes at most {@value #DEFAULT_LINES_PER_SECOND} lines a second (the rules file's {@code audit} uses this). */
    public Slf4jAuditLog() {
        this(DEFAULT_LINES_PER_SECOND);
    }

    /**
     * @param linesPerSecond the most lines written per second (and in a burst), at least 1
     * @throws IllegalArgumentException when less than 1
     */
    public Slf4jAuditLog(int linesPerSecond) {
        this(LoggerFactory.getLogger(LOGGER_NAME), linesPerSecond, Clock.systemUTC());
    }

    Slf4jAuditLog(Logger log, int linesPerSecond, Clock clock) {
        this.log = log;
        this.limit = new RateLimit(clock, linesPerSecond, java.time.Duration.ofSeconds(1));
    }

    @Override
    public void decided(DecisionEvent e) {
        boolean refused = e.outcome() == DecisionEvent.Outcome.REFUSE;
        if (refused ? !log.isInfoEnabled() : !log.isDebugEnabled()) {
            return;   // a disabled level costs neither the budget nor the formatting
        }
        if (!limit.tryTake()) {
            return;
        }
        long held = limit.takeSuppressed();
        String line = line(e) + (held == 0 ? "" : " (" + held + " audit lines suppressed before this one)");
        if (refused) {
            log.info(line);
        } else {
            log.debug(line);
        }
    }

    static String line(DecisionEvent e) {
        StringBuilder b = new StringBuilder(200);
        if (e.passed()) {
            b.append("pass ");
        } else {
            b.append("refuse ").append(e.status()).append(' ');
        }
        b.append(clean(e.reason())).append(' ').append(clean(e.method())).append(' ').append(clean(e.path()))
                .append(" rule=").append(clean(e.rule()))
                .append(" dispatch=").append(e.dispatcherType())
                .append(" sub=").append(clean(e.subject()))
                .append(" client=").append(clean(e.clientId()))
                .append(" org=").append(clean(e.organizationId()))
                .append(" tenant=").append(clean(e.tenant()))
                .append(" actor=").append(clean(e.actor()))
                .append(" jti=").append(clean(e.jwtId()))
                .append(" took=").append(String.format(Locale.ROOT, "%.2fms", e.elapsed().toNanos() / 1e6));
        return b.toString();
    }

    /** One printable, bounded word: {@code -} for none, spaces and controls replaced, at most 128 characters. */
    static String clean(String value) {
        if (value == null || value.isEmpty()) {
            return "-";
        }
        int n = Math.min(value.length(), MAX_VALUE_LENGTH);
        StringBuilder b = new StringBuilder(n + 3);
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            b.append(c <= 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029' ? '?' : c);
        }
        return value.length() > n ? b.append("...").toString() : b.toString();
    }

    @Override
    public String toString() {
        return "Slf4jAuditLog[" + LOGGER_NAME + "]";
    }
}
