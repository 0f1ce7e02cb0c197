package dev.orgtoken.servlet;

import jakarta.servlet.DispatcherType;
import java.time.Duration;
import java.time.Instant;

/**
 * One decision of the filter, for a {@link DecisionListener}: what was decided, by which rule, for
 * which request, about whom, and how long deciding took. It never holds the token. The subject,
 * client, organization, tenant, actor and token id are known when the token was authentic: when it
 * passed, or was refused only by the rule's requirements (a 403 for scopes, roles, actor, client,
 * subject kind or organization; a 401 for another audience or tenant). They are null otherwise
 * (no token, a forged, expired or malformed one, a public path).
 *
 * @param outcome pass or refuse
 * @param reason why: for a pass {@code PUBLIC} (a public rule or {@code unmatched: public}),
 *     {@code TOKEN} (a token met the rule) or {@code CORS_PREFLIGHT} ({@code cors-preflight: pass});
 *     for a refusal the {@link RequestRefusal} or {@link dev.orgtoken.RejectionReason} name, such as
 *     {@code MISSING_TOKEN} or {@code EXPIRED}
 * @param status the status of the refusal ({@code 0} for a pass: the application decides its own);
 *     an INCLUDE's refusal writes nothing, an ERROR's keeps the error status
 * @param rule where the deciding rule is ({@code orgtoken.yaml:12}), {@code unmatched} when the
 *     {@code unmatched} policy decided, or null when no rule was consulted (an ambiguous path, a preflight)
 * @param dispatcherType the dispatch decided
 * @param method the request method
 * @param path the context-relative path the dispatch targets, or {@code -} when it was ambiguous
 * @param subject {@code sub}, or null
 * @param clientId {@code client_id}, or null
 * @param organizationId the token's organization, or null
 * @param tenant the tenant whose issuer signed the token, or null
 * @param actor the immediate actor of an impersonation token ({@code act.sub}), or null
 * @param jwtId {@code jti}, or null
 * @param time when the decision was made
 * @param elapsed how long the filter took to decide (not the application's time)
 */
public record DecisionEvent(Outcome outcome, String reason, int status, String rule, DispatcherType dispatcherType,
        String method, String path, String subject, String clientId, String organizationId, String tenant, String actor,
        String jwtId, Instant time, Duration elapsed) {

    /** Whether the request went on. */
    public enum Outcome {
        /** The request went on to the application. */
        PASS,
        /** The filter answered with a refusal. */
        REFUSE
    }

    /** @return true for {@link Outcome#PASS} */
    public boolean passed() {
        return outcome == Outcome.PASS;
    }
}
