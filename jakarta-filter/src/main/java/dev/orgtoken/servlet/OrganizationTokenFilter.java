package dev.orgtoken.servlet;

import dev.orgtoken.ErrorCode;
import dev.orgtoken.OrganizationTokenVerifier;
import dev.orgtoken.RejectionReason;
import dev.orgtoken.Requirements;
import dev.orgtoken.TokenRejectedException;
import dev.orgtoken.VerifiedToken;
import dev.orgtoken.VerifierCounters;
import dev.orgtoken.VerifierMetrics;
import dev.orgtoken.rules.OrganizationRule;
import dev.orgtoken.rules.PathRule;
import dev.orgtoken.rules.RuleMatch;
import dev.orgtoken.rules.RuleSet;
import dev.orgtoken.rules.RulesFileException;
import dev.orgtoken.rules.UnmatchedPolicy;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A servlet filter that checks Logto bearer tokens against declarative path rules before a
 * request reaches the application.
 *
 * <p>In {@code web.xml}:
 * <pre>{@code
 * <filter>
 *   <filter-name>orgtoken</filter-name>
 *   <filter-class>dev.orgtoken.servlet.OrganizationTokenFilter</filter-class>
 *   <init-param><param-name>config</param-name><param-value>/WEB-INF/orgtoken.yaml</param-value></init-param>
 * </filter>
 * <filter-mapping>
 *   <filter-name>orgtoken</filter-name><url-pattern>/*</url-pattern>
 *   <dispatcher>REQUEST</dispatcher><dispatcher>FORWARD</dispatcher><dispatcher>INCLUDE</dispatcher>
 *   <dispatcher>ASYNC</dispatcher><dispatcher>ERROR</dispatcher>
 * </filter-mapping>
 * }</pre>
 * {@code config} is a servlet-context resource ({@code /WEB-INF/...}), {@code classpath:...} or
 * {@code file:...}. In code, pass a {@link RuleSet} to a constructor and register the instance
 * with {@code ServletContext.addFilter}, Spring's {@code FilterRegistrationBean} or an embedded
 * server.
 *
 * <p>Each request, in order: the raw path must be unambiguous (else 400); the first rule whose
 * path and method match decides (a path rules cover, with a method none lists: 405; a path no
 * rule covers: the {@code unmatched} policy); a public rule passes; else one bearer token is
 * extracted (none: 401; malformed: 400), verified against the rule's requirements (invalid: 401;
 * scopes or organization: 403; keys unavailable: 503), and the request continues with the token
 * as its principal.
 *
 * <p>Map the filter for every dispatcher type (REQUEST, FORWARD, INCLUDE, ASYNC, ERROR): each
 * dispatch is decided again on the path it targets, with the same request's token (a cache hit
 * when it already passed). A refused INCLUDE leaves the included part out; a refused ERROR
 * dispatch keeps the error status without the error page.
 */
public final class OrganizationTokenFilter implements Filter {
    /** Request attribute holding the {@link VerifiedToken} of a request that passed with a token. */
    public static final String VERIFIED_TOKEN_ATTRIBUTE = "dev.orgtoken.VerifiedToken";
    /** Servlet-context attribute holding the filter's {@link VerifierCounters}, when it owns them. */
    public static final String COUNTERS_ATTRIBUTE = "dev.orgtoken.VerifierCounters";
    /** The init-param naming the rules file. */
    public static final String CONFIG_PARAMETER = "config";

    private static final Logger LOG = LoggerFactory.getLogger(OrganizationTokenFilter.class);

    private RuleSet rules;
    private OrganizationTokenVerifier verifier;
    private VerifierMetrics metrics;
    private boolean ownsVerifier;
    private long retryAfterSeconds;
    private Map<PathRule, Requirements> fixedRequirements = Map.of();
    /** Rules whose only variable part is the organization: audience and scopes built once. */
    private Map<PathRule, Requirements> requirementsBeforeOrganization = Map.of();
    private Requirements unmatchedRequirements;

    /** For {@code web.xml}: the rules come from the {@code config} init-param at {@link #init}. */
    public OrganizationTokenFilter() {}

    /**
     * Programmatic set-up: the filter builds (and on {@link #destroy} closes) a verifier from the
     * rules' {@code logto} settings, counting into a {@link VerifierCounters} that is published as
     * the servlet-context attribute {@link #COUNTERS_ATTRIBUTE}.
     *
     * @param rules the rules
     */
    public OrganizationTokenFilter(RuleSet rules) {
        VerifierCounters counters = new VerifierCounters();
        configure(rules, VerifierFactory.create(rules.logto(), counters), counters, true);
    }

    /**
     * Programmatic set-up with a verifier you own (and close). The rules' {@code logto} section is
     * ignored except for the {@code Retry-After} hint.
     *
     * @param rules the rules
     * @param verifier the verifier to use
     * @param metrics where the filter's own refusals are counted (missing token, malformed
     *     request, no matching rule); pass the verifier's metrics to keep one set of counters
     */
    public OrganizationTokenFilter(RuleSet rules, OrganizationTokenVerifier verifier, VerifierMetrics metrics) {
        configure(rules, Objects.requireNonNull(verifier, "verifier"), Objects.requireNonNull(metrics, "metrics"), false);
    }

    /**
     * The verified token of a request that passed this filter with a token.
     *
     * @param request the request
     * @return the token, or empty (public path, or not filtered)
     */
    public static Optional<VerifiedToken> verifiedToken(ServletRequest request) {
        return request.getAttribute(VERIFIED_TOKEN_ATTRIBUTE) instanceof VerifiedToken t ? Optional.of(t) : Optional.empty();
    }

    @Override
    public void init(FilterConfig config) throws ServletException {
        if (rules == null) {
            String location = config.getInitParameter(CONFIG_PARAMETER);
            if (location == null || location.isBlank()) {
                throw new ServletException("OrganizationTokenFilter: init-param '" + CONFIG_PARAMETER
                        + "' must name the rules file (/WEB-INF/..., classpath:... or file:...)");
            }
            RuleSet loaded;
            try {
                loaded = RulesSource.load(location.trim(), config.getServletContext());
            } catch (RulesFileException e) {
                throw new ServletException("OrganizationTokenFilter: " + e.getMessage());
            }
            VerifierCounters counters = new VerifierCounters();
            OrganizationTokenVerifier built;
            try {
                built = VerifierFactory.create(loaded.logto(), counters);
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new ServletException("OrganizationTokenFilter: " + location + ": logto: " + e.getMessage());
            }
            configure(loaded, built, counters, true);
        }
        if (metrics instanceof VerifierCounters counters && ownsVerifier) {
            config.getServletContext().setAttribute(COUNTERS_ATTRIBUTE, counters);
        }
        LOG.info("OrganizationTokenFilter ready: {} rule(s), unmatched={}, issuers={}", rules.rules().size(),
                rules.unmatched().fileValue(), verifier.issuers());
    }

    private void configure(RuleSet ruleSet, OrganizationTokenVerifier tokenVerifier, VerifierMetrics sink, boolean owns) {
        this.rules = Objects.requireNonNull(ruleSet, "rules");
        this.verifier = tokenVerifier;
        this.metrics = sink;
        this.ownsVerifier = owns;
        this.retryAfterSeconds = VerifierFactory.retryAfterSeconds(ruleSet.logto());
        String defaultAudience = ruleSet.defaultAudience().orElse(null);
        Map<PathRule, Requirements> fixed = new IdentityHashMap<>();
        Map<PathRule, Requirements> beforeOrganization = new IdentityHashMap<>();
        for (PathRule rule : ruleSet.rules()) {
            boolean usesVariables = rule.audienceTemplate().map(t -> t.indexOf('{') >= 0).orElse(false)
                    || rule.organization() instanceof OrganizationRule.FromVariable;
            if (!rule.isPublic() && !usesVariables) {
                fixed.put(rule, requirements(new RuleMatch(rule, emptyVariables(rule)), defaultAudience));
            } else if (!rule.isPublic() && rule.organization() instanceof OrganizationRule.FromVariable
                    && rule.audienceTemplate().map(t -> t.indexOf('{') < 0).orElse(true)) {
                RuleMatch fixedPart = new RuleMatch(rule, emptyVariables(rule));
                Requirements r = Requirements.audience(fixedPart.audience(defaultAudience));
                beforeOrganization.put(rule, fixedPart.scopes().isEmpty() ? r : r.scopes(fixedPart.scopes()));
            }
        }
        this.fixedRequirements = fixed;
        this.requirementsBeforeOrganization = beforeOrganization;
        // null: no token can satisfy an unmatched path (deny); PUBLIC is decided before this is read.
        this.unmatchedRequirements = ruleSet.unmatched() == UnmatchedPolicy.AUTHENTICATED && defaultAudience != null
                ? Requirements.audience(defaultAudience) : null;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)) {
            throw new ServletException("OrganizationTokenFilter handles HTTP requests only");
        }
        Decision decision = decide(request);
        if (decision instanceof Pass pass) {
            chain.doFilter(pass.request(), response);
            return;
        }
        Refusal refusal = (Refusal) decision;
        logRejection(refusal.reason(), refusal.rule(), refusal.path(), request.getDispatcherType());
        switch (request.getDispatcherType()) {
            // An include cannot set the status or headers (Servlet 6.0 section 9.3), and resetting the
            // buffer would erase the including page: the refused part is simply left out.
            case INCLUDE -> { }
            case ERROR -> refusal.challenge().withholdingErrorPage(errorStatus(request)).write(response, rules.realm());
            default -> refusal.challenge().write(response, rules.realm());
        }
    }

    private static int errorStatus(HttpServletRequest request) {
        return request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE) instanceof Integer status ? status : 500;
    }

    /** What happens to a request: it passes (possibly as an authenticated request), or it is refused. */
    private sealed interface Decision permits Pass, Refusal {}

    private record Pass(HttpServletRequest request) implements Decision {}

    private record Refusal(BearerChallenge challenge, RejectionReason reason, PathRule rule, String path)
            implements Decision {}

    /** The request path, in order: unambiguous path, first matching rule, one bearer token, verify, principal. */
    private Decision decide(HttpServletRequest request) {
        String path;
        try {
            path = RequestPath.of(request);                                          // 1. path
        } catch (RequestPath.AmbiguousPathException e) {
            return refusal(BearerChallenge.ambiguousPath(e.getMessage()), RejectionReason.AMBIGUOUS_PATH, null, "-");
        }
        RuleMatch match = rules.match(request.getMethod(), path).orElse(null);      // 2. rule
        if (match == null) {
            Set<String> allowed = rules.methodsCovering(path);
            if (!allowed.isEmpty()) {
                return refusal(BearerChallenge.methodNotAllowed(allowed), RejectionReason.NO_MATCHING_RULE, null, path);
            }
        }
        PathRule rule = match == null ? null : match.rule();
        if (match == null ? rules.unmatched() == UnmatchedPolicy.PUBLIC : match.isPublic()) {
            return new Pass(request);
        }
        Requirements requirements;
        try {
            requirements = match == null ? unmatchedRequirements : requirementsFor(match);
        } catch (IllegalArgumentException e) {
            // A captured path segment the rule uses as the organization or audience is blank
            // ("%20"): no token can be for it. Client input: a 400, never a 500.
            return refusal(BearerChallenge.invalidRequest("request path names a blank organization or audience"),
                    RejectionReason.MALFORMED_REQUEST, rule, path);
        }
        if (requirements == null) {
            return refusal(BearerChallenge.noMatchingRule(), RejectionReason.NO_MATCHING_RULE, null, path);
        }
        BearerToken.Extraction credentials = BearerToken.extract(request, rules.queryTokenAllowed());   // 3. token
        if (credentials instanceof BearerToken.Malformed m) {
            return refusal(BearerChallenge.invalidRequest(m.description()), RejectionReason.MALFORMED_REQUEST, rule, path);
        }
        if (!(credentials instanceof BearerToken.Present present)) {
            return refusal(BearerChallenge.missingToken(), RejectionReason.MISSING_TOKEN, rule, path);
        }
        try {
            VerifiedToken verified = verifier.verify(present.token(), requirements);    // 4. verify and authorise
            return new Pass(new AuthenticatedRequest(request, verified));             // 5. the token as principal
        } catch (TokenRejectedException e) {
            // Counted by the verifier already.
            return new Refusal(BearerChallenge.of(e.errorCode(), e.getMessage(), e.requiredScopes(), retryAfterSeconds),
                    e.reason(), rule, path);
        } catch (RuntimeException e) {
            // A bug of ours must not become a 500 or a pass: refuse the token, log without it.
            LOG.warn("token verification failed unexpectedly on {} ({}); refusing", path, e.getClass().getName());
            return refusal(BearerChallenge.of(ErrorCode.INVALID_TOKEN, "token could not be verified", Set.of(), 0),
                    RejectionReason.MALFORMED_TOKEN, rule, path);
        }
    }

    /** A refusal the filter decides itself (the verifier counts its own), counted here. */
    private Refusal refusal(BearerChallenge challenge, RejectionReason reason, PathRule rule, String path) {
        metrics.rejected(reason);
        return new Refusal(challenge, reason, rule, path);
    }

    private Requirements requirementsFor(RuleMatch match) {
        Requirements fixed = fixedRequirements.get(match.rule());
        if (fixed != null) {
            return fixed;
        }
        Requirements base = requirementsBeforeOrganization.get(match.rule());
        if (base != null) {
            return base.organization(match.requiredOrganization().orElseThrow());   // one object per request
        }
        return requirements(match, rules.defaultAudience().orElse(null));
    }

    private static Requirements requirements(RuleMatch match, String defaultAudience) {
        Requirements r = Requirements.audience(match.audience(defaultAudience));
        if (!match.scopes().isEmpty()) {
            r = r.scopes(match.scopes());
        }
        OrganizationRule org = match.organization();
        if (org instanceof OrganizationRule.Any) {
            r = r.anyOrganization();
        } else if (org.requiresOrganization()) {
            r = r.organization(match.requiredOrganization().orElseThrow());
        }
        return r;
    }

    private static Map<String, String> emptyVariables(PathRule rule) {
        Map<String, String> vars = new java.util.HashMap<>();
        for (String name : rule.path().variables()) {
            vars.put(name, "");
        }
        return vars;
    }

    private static void logRejection(RejectionReason reason, PathRule rule, String path, DispatcherType dispatch) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("refused {} on {} {} (rule {})", reason, dispatch, path,
                    rule == null ? "none" : "line " + rule.line() + " " + rule.path());
        }
    }

    @Override
    public void destroy() {
        if (ownsVerifier && verifier != null) {
            verifier.close();
        }
    }
}
