package dev.orgtoken.servlet;

import dev.orgtoken.VerifiedToken;
import dev.orgtoken.rules.AuditListenerClass;
import dev.orgtoken.rules.RuleSet;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the {@link DecisionListener}s about each decision of an {@link OrganizationTokenFilter}:
 * the listeners given in code and those the rules file names in {@code audit}. An event never
 * holds the token. A listener's failure is logged (once a minute at most) and changes nothing else.
 */
final class DecisionAudit {
    private static final Logger LOG = LoggerFactory.getLogger(OrganizationTokenFilter.class);

    /** No listeners: the filter builds no event at all. */
    static final DecisionAudit NONE = new DecisionAudit(new DecisionListener[0], null);

    private final DecisionListener[] listeners;
    private final RuleSet rules;
    private final Clock clock = Clock.systemUTC();
    /** Listener failures are logged once a minute at most: a broken listener must not flood the log either. */
    private final RateLimit failures = new RateLimit(clock, 1, Duration.ofMinutes(1));

    private DecisionAudit(DecisionListener[] listeners, RuleSet rules) {
        this.listeners = listeners;
        this.rules = rules;
    }

    /** The listeners given in code, then those the rules name, created now (a bad one stops start-up). */
    static DecisionAudit of(List<DecisionListener> inCode, RuleSet rules) {
        List<DecisionListener> all = new ArrayList<>(inCode);
        for (AuditListenerClass named : rules.auditListeners()) {
            all.add(instantiate(named));
        }
        return all.isEmpty() ? NONE : new DecisionAudit(all.toArray(new DecisionListener[0]), rules);
    }

    boolean active() {
        return listeners.length != 0;
    }

    int size() {
        return listeners.length;
    }

    /** Tells every listener; a listener's failure is logged (rate-limited) and changes nothing else. */
    void publish(HttpServletRequest request, OrganizationTokenFilter.Decision decision, long started) {
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        VerifiedToken t;
        boolean passed = decision instanceof OrganizationTokenFilter.Passed;
        boolean byRules;
        String path;
        int status = 0;
        String reason;
        if (decision instanceof OrganizationTokenFilter.Refused refusal) {
            reason = refusal.reason.name();
            status = request.getDispatcherType() == DispatcherType.ERROR
                    ? refusal.answer.withholdingErrorPage(OrganizationTokenFilter.errorStatus(request)).status() : refusal.answer.status();
            t = refusal.token;
            byRules = refusal.byRules;
            path = refusal.path;
        } else {
            OrganizationTokenFilter.Passed pass = (OrganizationTokenFilter.Passed) decision;
            reason = pass.reason;
            t = pass.token;
            byRules = pass.byRules;
            path = pass.path;
        }
        DecisionEvent event = new DecisionEvent(passed ? DecisionEvent.Outcome.PASS : DecisionEvent.Outcome.REFUSE,
                reason, status, byRules ? rules.location(decision.rule()) : null, request.getDispatcherType(),
                request.getMethod(), path, t == null ? null : t.subject(),
                t == null ? null : t.clientId().orElse(null), t == null ? null : t.organizationId().orElse(null),
                t == null ? null : t.tenant(), t == null ? null : t.actor().orElse(null),
                t == null ? null : t.jwtId().orElse(null), clock.instant(), elapsed);
        for (DecisionListener listener : listeners) {
            try {
                listener.decided(event);
            } catch (RuntimeException | LinkageError e) {
                if (failures.tryTake()) {
                    long held = failures.takeSuppressed();
                    LOG.warn("decision listener {} failed; the request was decided as before{}",
                            listener.getClass().getName(), held == 0 ? "" : " (" + held + " more failures not logged)", e);
                }
            }
        }
    }

    /** A listener the rules name by class: public no-argument constructor, from the web application's class loader. */
    private static DecisionListener instantiate(AuditListenerClass named) {
        String where = named.location() + ": audit listener " + named.className();
        Class<?> type;
        try {
            type = load(named.className());
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException(where + " was not found on the class path");
        }
        if (!DecisionListener.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException(where + " does not implement " + DecisionListener.class.getName());
        }
        try {
            return (DecisionListener) type.getConstructor().newInstance();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(where + " has no public no-argument constructor");
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            Throwable cause = e instanceof java.lang.reflect.InvocationTargetException t && t.getCause() != null
                    ? t.getCause() : e;
            throw new IllegalArgumentException(where + " could not be created (" + cause.getClass().getName() + ")");
        }
    }

    private static Class<?> load(String name) throws ClassNotFoundException {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (context != null) {
            try {
                return Class.forName(name, true, context);
            } catch (ClassNotFoundException e) {
                // fall back to the filter's own loader (the listener may ship beside the filter)
            }
        }
        return Class.forName(name, true, DecisionAudit.class.getClassLoader());
    }
}
