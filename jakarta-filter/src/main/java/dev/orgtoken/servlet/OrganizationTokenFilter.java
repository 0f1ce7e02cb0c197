package dev.orgtoken.servlet;

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
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
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
 * <filter-mapping><filter-name>orgtoken</filter-name><url-pattern>/*</url-pattern></filter-mapping>
 * }</pre>
 * {@code config} is a servlet-context resource ({@code /WEB-INF/...}), {@code classpath:...} or
 * {@code file:...}. In code, pass a {@link RuleSet} to a constructor and register the instance
 * with {@code ServletContext.addFilter}, Spring's {@code FilterRegistrationBean} or an embedded
 * server.
 *
 * <p>Each request, in order: the raw path must be unambiguous (else 400); the first rule whose
 * path and method match decides (else the {@code unmatched} policy); a public rule passes; else
 * one bearer token is extracted (none: 401; malformed: 400), verified against the rule's
 * requirements (invalid: 401; scopes or organization: 403; keys unavailable: 503), and the
 * request continues with the token as its principal.
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
        for (PathRule rule : ruleSet.rules()) {
            boolean usesVariables = rule.audienceTemplate().map(t -> t.indexOf('{') >= 0).orElse(false)
                    || rule.organization() instanceof OrganizationRule.FromVariable;
            if (!rule.isPublic() && !usesVariables) {
                fixed.put(rule, requirements(new RuleMatch(rule, emptyVariables(rule)), defaultAudience));
            }
        }
        this.fixedRequirements = fixed;
        this.unmatchedRequirements = defaultAudience == null ? null : Requirements.audience(defaultAudience);
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)) {
            throw new ServletException("OrganizationTokenFilter handles HTTP requests only");
        }
        // 1. The path the container will route, or 400 when the raw URI could be read two ways.
        String path;
        try {
            path = RequestPath.of(request);
        } catch (RequestPath.AmbiguousPathException e) {
            refuse(response, BearerChallenge.ambiguousPath(e.getMessage()), RejectionReason.AMBIGUOUS_PATH, null, "-");
            return;
        }
        // 2. The first rule whose path and method match decides.
        Optional<RuleMatch> match = rules.match(request.getMethod(), path);
        Requirements requirements;
        PathRule rule = match.map(RuleMatch::rule).orElse(null);
        if (match.isPresent()) {
            if (match.get().isPublic()) {
                chain.doFilter(request, response);
                return;
            }
            requirements = requirementsFor(match.get());
        } else {
            switch (rules.unmatched()) {
                case PUBLIC -> {
                    chain.doFilter(request, response);
                    return;
                }
                case AUTHENTICATED -> requirements = unmatchedRequirements;
                default -> {
                    refuse(response, BearerChallenge.noMatchingRule(), RejectionReason.NO_MATCHING_RULE, null, path);
                    return;
                }
            }
        }
        // 3. Exactly one well-formed bearer token.
        BearerToken.Extraction credentials = BearerToken.extract(request, rules.queryTokenAllowed());
        if (credentials instanceof BearerToken.Malformed m) {
            refuse(response, BearerChallenge.invalidRequest(m.description()), RejectionReason.MALFORMED_REQUEST, rule, path);
            return;
        }
        if (!(credentials instanceof BearerToken.Present present)) {
            refuse(response, BearerChallenge.missingToken(), RejectionReason.MISSING_TOKEN, rule, path);
            return;
        }
        String token = present.token();
        // 4. Verify and authorise.
        VerifiedToken verified;
        try {
            verified = verifier.verify(token, requirements);
        } catch (TokenRejectedException e) {
            BearerChallenge challenge = BearerChallenge.of(e.errorCode(), e.getMessage(), e.requiredScopes(), retryAfterSeconds);
            logRejection(e.reason(), rule, path);
            challenge.write(response, rules.realm());
            return;
        } catch (RuntimeException e) {
            // A bug of ours must not become a 500 or a pass: refuse the token, log without it.
            LOG.warn("token verification failed unexpectedly on {} ({}); refusing", path, e.getClass().getName());
            refuse(response, BearerChallenge.of(dev.orgtoken.ErrorCode.INVALID_TOKEN, "token could not be verified",
                    java.util.Set.of(), 0), RejectionReason.MALFORMED_TOKEN, rule, path);
            return;
        }
        // 5. Pass, with the token as the principal.
        chain.doFilter(new AuthenticatedRequest(request, verified), response);
    }

    private Requirements requirementsFor(RuleMatch match) {
        Requirements fixed = fixedRequirements.get(match.rule());
        return fixed != null ? fixed : requirements(match, rules.defaultAudience().orElse(null));
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

    private void refuse(HttpServletResponse response, BearerChallenge challenge, RejectionReason reason, PathRule rule,
            String path) throws IOException {
        metrics.rejected(reason);
        logRejection(reason, rule, path);
        challenge.write(response, rules.realm());
    }

    private static void logRejection(RejectionReason reason, PathRule rule, String path) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("refused {} on {} (rule {})", reason, path,
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
