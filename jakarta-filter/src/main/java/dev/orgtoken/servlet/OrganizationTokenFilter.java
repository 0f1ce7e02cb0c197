package dev.orgtoken.servlet;

import dev.orgtoken.OrganizationTokenVerifier;
import dev.orgtoken.RejectionReason;
import dev.orgtoken.Requirements;
import dev.orgtoken.TokenRejectedException;
import dev.orgtoken.VerifiedToken;
import dev.orgtoken.VerifierCounters;
import dev.orgtoken.rules.PathRule;
import dev.orgtoken.rules.RuleDecision;
import dev.orgtoken.rules.RuleSet;
import dev.orgtoken.rules.RulesFileException;
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
 *   <async-supported>true</async-supported>
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
 * <p>Each request, in order ({@link #decide}): the raw path must be unambiguous (else 400); the
 * rules decide ({@link RuleSet#match}: public, refused, or the requirements a token must meet);
 * one bearer token is extracted (none: 401; malformed: 400) and verified against the requirements
 * (invalid: 401; scopes or organization: 403; keys unavailable: 503); the request continues with
 * the token as its principal.
 *
 * <p>Map the filter for every dispatcher type: each dispatch is decided again on the path it
 * targets, with the same request's token (a cache hit when it already passed). A refused INCLUDE
 * leaves the included part out; a refused ERROR dispatch keeps the error status without the page.
 */
public final class OrganizationTokenFilter implements Filter {
    /** Request attribute holding the {@link VerifiedToken} of a request that passed with a token. */
    public static final String VERIFIED_TOKEN_ATTRIBUTE = "dev.orgtoken.VerifiedToken";
    /** Servlet-context attribute holding the verifier's {@link VerifierCounters}, when the filter owns the verifier. */
    public static final String COUNTERS_ATTRIBUTE = "dev.orgtoken.VerifierCounters";
    /** Servlet-context attribute holding the filter's own {@link FilterCounters}, when the filter owns the verifier. */
    public static final String FILTER_COUNTERS_ATTRIBUTE = "dev.orgtoken.servlet.FilterCounters";
    /** The init-param naming the rules file. */
    public static final String CONFIG_PARAMETER = "config";

    private static final Logger LOG = LoggerFactory.getLogger(OrganizationTokenFilter.class);

    private RuleSet rules;
    private OrganizationTokenVerifier verifier;
    private FilterMetrics metrics;
    /** Counters published on the servlet context; null when the caller owns the verifier. */
    private VerifierCounters ownCounters;

    /** For {@code web.xml}: the rules come from the {@code config} init-param at {@link #init}. */
    public OrganizationTokenFilter() {}

    /**
     * Programmatic set-up: the filter builds (and on {@link #destroy} closes) a verifier from the
     * rules' {@code logto} settings, and publishes its {@link VerifierCounters} and
     * {@link FilterCounters} as servlet-context attributes.
     *
     * @param rules the rules, with {@code logto} settings
     * @throws IllegalArgumentException when the rules have no {@code logto} settings
     */
    public OrganizationTokenFilter(RuleSet rules) {
        ownVerifier(rules);
    }

    /**
     * Programmatic set-up with a verifier you own (and close). The rules need no {@code logto}
     * settings; any they have are not used.
     *
     * @param rules the rules
     * @param verifier the verifier to use
     */
    public OrganizationTokenFilter(RuleSet rules, OrganizationTokenVerifier verifier) {
        this(rules, verifier, FilterMetrics.NONE);
    }

    /**
     * Programmatic set-up with a verifier you own (and close), counting the filter's own refusals.
     *
     * @param rules the rules
     * @param verifier the verifier to use
     * @param metrics where the refusals the filter decides itself are counted (missing token,
     *     malformed request, no matching rule, ...); the verifier counts its own
     */
    public OrganizationTokenFilter(RuleSet rules, OrganizationTokenVerifier verifier, FilterMetrics metrics) {
        configure(rules, Objects.requireNonNull(verifier, "verifier"), Objects.requireNonNull(metrics, "metrics"));
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
            try {
                ownVerifier(RulesSource.load(location.trim(), config.getServletContext()));
            } catch (RulesFileException | IllegalArgumentException | IllegalStateException e) {
                throw new ServletException("OrganizationTokenFilter: " + e.getMessage());
            }
        }
        if (ownCounters != null) {
            config.getServletContext().setAttribute(COUNTERS_ATTRIBUTE, ownCounters);
            config.getServletContext().setAttribute(FILTER_COUNTERS_ATTRIBUTE, metrics);
        }
        LOG.info("OrganizationTokenFilter ready: {} rule(s), unmatched={}, issuers={}", rules.rules().size(),
                rules.unmatched().fileValue(), verifier.issuers());
    }

    private void ownVerifier(RuleSet ruleSet) {
        OrganizationTokenVerifier.Builder builder = ruleSet.verifierBuilder().orElseThrow(() ->
                new IllegalArgumentException("the rules have no 'logto' settings: add them, or pass a verifier"));
        VerifierCounters counters = new VerifierCounters();
        configure(ruleSet, builder.metrics(counters).build(), new FilterCounters());
        this.ownCounters = counters;
    }

    private void configure(RuleSet ruleSet, OrganizationTokenVerifier tokenVerifier, FilterMetrics sink) {
        this.rules = Objects.requireNonNull(ruleSet, "rules");
        this.verifier = tokenVerifier;
        this.metrics = sink;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)) {
            throw new ServletException("OrganizationTokenFilter handles HTTP requests only");
        }
        Outcome outcome = decide(request);
        if (outcome instanceof Pass pass) {
            chain.doFilter(pass.request(), response);
        } else {
            refuse(request, response, (Refusal) outcome);
        }
    }

    /** What happens to a request: it passes (possibly as an authenticated request), or it is refused. */
    private sealed interface Outcome permits Pass, Refusal {}

    private record Pass(HttpServletRequest request) implements Outcome {}

    /**
     * @param answer what the client gets
     * @param reason for the log: a {@link RequestRefusal} or a token's {@code RejectionReason}
     * @param rule the rule that decided, or null
     */
    private record Refusal(BearerChallenge answer, Enum<?> reason, PathRule rule, String path) implements Outcome {}

    /** The request path: the path, what the rules say, the token, verification, the principal. */
    private Outcome decide(HttpServletRequest request) {
        String path;
        try {
            path = RequestPath.of(request);                                       // 1. the path this dispatch targets
        } catch (RequestPath.AmbiguousPathException e) {
            return refused(RequestRefusal.AMBIGUOUS_PATH, e.getMessage(), null, "-");
        }
        RuleDecision decision = rules.match(request.getMethod(), path);          // 2. what the rules say
        if (decision instanceof RuleDecision.Public) {
            return new Pass(request);
        }
        if (decision instanceof RuleDecision.Refused refused) {
            return refused(refused, path);
        }
        Requirements requirements = ((RuleDecision.Protected) decision).requirements();
        BearerToken.Extraction credentials = BearerToken.extract(request, rules.queryTokenAllowed());   // 3. the token
        if (!(credentials instanceof BearerToken.Present present)) {
            return credentials instanceof BearerToken.Malformed malformed
                    ? refused(RequestRefusal.MALFORMED_REQUEST, malformed.description(), decision.rule(), path)
                    : refused(RequestRefusal.MISSING_TOKEN, BearerChallenge.MISSING_TOKEN, decision.rule(), path);
        }
        try {
            VerifiedToken token = verifier.verify(present.source(), present.start(), requirements);   // 4. verify, authorise
            return new Pass(new AuthenticatedRequest(request, token));            // 5. the token as principal
        } catch (TokenRejectedException e) {
            // Counted by the verifier already.
            return new Refusal(BearerChallenge.of(e, verifier.retryAfter(e.errorCode()).toSeconds()), e.reason(),
                    decision.rule(), path);
        } catch (RuntimeException e) {
            // A bug of ours must not become a 500 or a pass: refuse the token, log without it.
            LOG.warn("token verification failed unexpectedly on {} ({}); refusing", path, e.getClass().getName());
            return new Refusal(new BearerChallenge(401, "invalid_token", "token could not be verified", Set.of(), 0, true),
                    RejectionReason.MALFORMED_TOKEN, decision.rule(), path);
        }
    }

    private Refusal refused(RuleDecision.Refused decision, String path) {
        return switch (decision.reason()) {
            case NO_MATCHING_RULE -> refused(RequestRefusal.NO_MATCHING_RULE, BearerChallenge.NO_MATCHING_RULE, null, path);
            case BLANK_PATH_VALUE -> refused(RequestRefusal.BLANK_PATH_VALUE, BearerChallenge.BLANK_PATH_VALUE,
                    decision.rule(), path);
            case METHOD_NOT_ALLOWED -> {
                metrics.refused(RequestRefusal.METHOD_NOT_ALLOWED);
                yield new Refusal(BearerChallenge.of(RequestRefusal.METHOD_NOT_ALLOWED, BearerChallenge.METHOD_NOT_ALLOWED,
                        decision.allowedMethods()), RequestRefusal.METHOD_NOT_ALLOWED, null, path);
            }
        };
    }

    /** A refusal the filter decides itself (the verifier counts its own), counted here. */
    private Refusal refused(RequestRefusal reason, String description, PathRule rule, String path) {
        metrics.refused(reason);
        return new Refusal(BearerChallenge.of(reason, description, Set.of()), reason, rule, path);
    }

    private void refuse(HttpServletRequest request, HttpServletResponse response, Refusal refusal) throws IOException {
        DispatcherType dispatch = request.getDispatcherType();
        if (LOG.isDebugEnabled()) {
            LOG.debug("refused {} on {} {} (rule {})", refusal.reason(), dispatch, refusal.path(),
                    refusal.rule() == null ? "none" : "line " + refusal.rule().line() + " " + refusal.rule().path());
        }
        switch (dispatch) {
            // An include cannot set the status or headers (Servlet 6.0 section 9.3), and resetting the
            // buffer would erase the including page: the refused part is simply left out.
            case INCLUDE -> { }
            case ERROR -> refusal.answer().withholdingErrorPage(errorStatus(request)).write(response, rules.realm());
            default -> refusal.answer().write(response, rules.realm());
        }
    }

    private static int errorStatus(HttpServletRequest request) {
        return request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE) instanceof Integer status ? status : 500;
    }

    @Override
    public void destroy() {
        if (ownCounters != null && verifier != null) {
            verifier.close();
        }
    }
}
