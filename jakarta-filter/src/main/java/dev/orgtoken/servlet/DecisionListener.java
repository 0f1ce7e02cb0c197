package dev.orgtoken.servlet;

/**
 * Told about every decision the filter makes: each pass and each refusal, on every dispatch, with
 * what was decided and about whom ({@link DecisionEvent}), never the token itself. For audit trails
 * and security monitoring; {@link Slf4jAuditLog} is a ready implementation.
 *
 * <p>Register listeners in the rules file ({@code audit: [com.example.MyAudit]}, a class with a
 * public no-argument constructor) or in code ({@code new OrganizationTokenFilter(rules, listeners)}).
 * With none registered, the filter builds no event at all.
 *
 * <p>Called on the request thread, before the request goes on (or after its refusal was written):
 * return quickly and hand slow work (a remote audit store) to a queue of your own. An exception a
 * listener throws is logged (rate-limited) and never changes the answer or becomes a 500.
 */
@FunctionalInterface
public interface DecisionListener {
    /**
     * A decision was made.
     *
     * @param event what was decided; immutable
     */
    void decided(DecisionEvent event);
}
