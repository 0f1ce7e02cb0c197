package dev.orgtoken.servlet;

import dev.orgtoken.OrganizationTokenVerifier;
import dev.orgtoken.RejectionReason;
import dev.orgtoken.Requirements;
import dev.orgtoken.TokenRejectedException;
import dev.orgtoken.VerifiedToken;
import dev.orgtoken.VerifierCounters;
import dev.orgtoken.rules.CorsPreflight;
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
import java.util.List;
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
 * <p>Each request, in order ({@link #decide}): the raw path must be unambiguous (else 400); with
 * {@code cors-preflight: pass}, an exactly-shaped CORS preflight goes on without a token; the
 * rules decide ({@link RuleSet#match}: public, refused, or the requirements a token must meet);
 * one bearer token is extracted (none: 401; malformed: 400) and verified against the requirements
 * (invalid: 401; scopes, roles, organization, actor, client or subject kind: 403; keys unavailable:
 * 503); the request continues with the token as its principal. Every decision is told to the
 * {@link DecisionListener}s, when there are any.
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
    /** Why a request passed, as {@link DecisionEvent#reason()} says it. */
    static final String PUBLIC = "PUBLIC";
    static final String TOKEN = "TOKEN";
    static final String CORS_PREFLIGHT = "CORS_PREFLIGHT";

    private final List<DecisionListener> codeListeners;
    /** Tells the listeners about each decision; without listeners, no event is built at all. */
    private DecisionAudit audit = DecisionAudit.NONE;
    private RuleSet rules;
    private OrganizationTokenVerifier verifier;
    private FilterMetrics metrics;
    /** Counters published on the servlet context; null when the caller owns the verifier. */
    private VerifierCounters ownCounters;

    /** For {@code web.xml}: the rules come from the {@code config} init-param at {@link #init}. */
    public OrganizationTokenFilter() {
        this.codeListeners = List.of();
    }

    /**
     * Programmatic set-up: the filter builds (and on {@link #destroy} closes) a verifier from the
     * rules' {@code logto} settings, and publishes its {@link VerifierCounters} and
     * {@link FilterCounters} as servlet-context attributes.
     *
     * @param rules the rules, with {@code logto} settings
     * @throws IllegalArgumentException when the rules have no {@code logto} settings
     */
    public OrganizationTokenFilter(RuleSet rules) {
        this(rules, List.of());
    }

    /**
     * Programmatic set-up as {@link #OrganizationTokenFilter(RuleSet)}, telling these listeners (and
     * any the rules name in {@code audit}) about every decision.
     *
     * @param rules the rules, with {@code logto} settings
     * @param listeners decision listeners, in the order they are told
     * @throws IllegalArgumentException when the rules have no {@code logto} settings, or a listener
     *     the rules name cannot be created
     */
    public OrganizationTokenFilter(RuleSet rules, List<DecisionListener> listeners) {
        this.codeListeners = List.copyOf(listeners);
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
        this(rules, verifier, metrics, List.of());
    }

    /**
     * Programmatic set-up with a verifier you own (and close), counting the filter's own refusals and
     * telling these listeners (and any the rules name in {@code audit}) about every decision.
     *
     * @param rules the rules
     * @param verifier the verifier to use; it must know every tenant the rules name, and read roles
     *     where a rule requires them ({@link RuleSet#checkFits})
     * @param metrics where the refusals the filter decides itself are counted
     * @param listeners decision listeners, in the order they are told
     * @throws IllegalArgumentException when the rules do not fit the verifier, or a listener the rules
     *     name cannot be created
     */
    public OrganizationTokenFilter(RuleSet rules, OrganizationTokenVerifier verifier, FilterMetrics metrics,
            List<DecisionListener> listeners) {
        this.codeListeners = List.copyOf(listeners);
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
        LOG.info("OrganizationTokenFilter ready: {} rule(s), unmatched={}, cors-preflight={}, tenants={}, issuers={},"
                + " {} decision listener(s)", rules.rules().size(), rules.unmatched().fileValue(),
                rules.corsPreflight().fileValue(), verifier.tenants(), verifier.issuers(), audit.size());
    }

    private void ownVerifier(RuleSet ruleSet) {
        OrganizationTokenVerifier.Builder builder = ruleSet.verifierBuilder().orElseThrow(() ->
                new IllegalArgumentException("the rules have no 'logto' settings: add them, or pass a verifier"));
        VerifierCounters counters = new VerifierCounters();
        OrganizationTokenVerifier built = builder.metrics(counters).build();
        try {
            configure(ruleSet, built, new FilterCounters());
        } catch (RuntimeException e) {
            built.close();   // ours, and unusable: do not leave its refresh threads behind
            throw e;
        }
        this.ownCounters = counters;
    }

    private void configure(RuleSet ruleSet, OrganizationTokenVerifier tokenVerifier, FilterMetrics sink) {
        Objects.requireNonNull(ruleSet, "rules");
        ruleSet.checkFits(tokenVerifier);
        this.audit = DecisionAudit.of(codeListeners, ruleSet);
        this.rules = ruleSet;
        this.verifier = tokenVerifier;
        this.metrics = sink;
    }



    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)) {
            throw new ServletException("OrganizationTokenFilter handles HTTP requests only");
        }
        Decision decision = decideAndAudit(request);
        if (decision instanceof Passed passed) {
            chain.doFilter(passed.request(), response);
        } else {
            ((Refused) decision).writeTo(request, response);
        }
    }

    /**
     * What the filter decides about one request or dispatch, before acting on it: the request
     * {@link Passed passes}, with or without a token, or it is {@link Refused refused} with an answer
     * ready to write. {@link #decide} returns it; {@link #doFilter} acts on it. Integrations that
     * establish the caller themselves (the Jakarta Security mechanism of {@code orgtoken-jakarta-security})
     * use the same decision, so there is one request path for every integration.
     */
    public sealed interface Decision permits Passed, Refused {
        /**
         * The rule that decided.
         *
         * @return the rule, or null when no rule decided (an ambiguous path, a passed CORS preflight,
         *     no matching rule, a method no rule lists)
         */
        PathRule rule();
    }

    /**
     * The request may go on.
     *
     * <p>{@link #request()} is what the application should see: with a token, a wrapper whose
     * principal is a {@link TokenPrincipal}, whose roles are the granted scopes (and roles), and
     * whose {@link #VERIFIED_TOKEN_ATTRIBUTE} is set; on a public path or for a passed CORS
     * preflight, the request itself.
     */
    public static final class Passed implements Decision {
        final HttpServletRequest request;
        /** {@link #PUBLIC}, {@link #TOKEN} or {@link #CORS_PREFLIGHT}, for the audit. */
        final String reason;
        final PathRule rule;
        final boolean byRules;
        final String path;
        final VerifiedToken token;

        private Passed(HttpServletRequest request, String reason, PathRule rule, boolean byRules, String path,
                VerifiedToken token) {
            this.request = request;
            this.reason = reason;
            this.rule = rule;
            this.byRules = byRules;
            this.path = path;
            this.token = token;
        }

        /** @return the request to hand on: authenticated when a token passed, else the original */
        public HttpServletRequest request() {
            return request;
        }

        /** @return the token that passed, or empty on a public path or a passed preflight */
        public Optional<VerifiedToken> token() {
            return Optional.ofNullable(token);
        }

        @Override
        public PathRule rule() {
            return rule;
        }
    }

    /**
     * The request is refused; {@link #writeTo} writes the answer (status, {@code WWW-Authenticate},
     * problem+json) exactly as the filter does.
     */
    public static final class Refused implements Decision {
        final BearerChallenge answer;
        final Enum<?> reason;
        final PathRule rule;
        final boolean byRules;
        final String path;
        /** The authentic token the rule's requirements refused, or null: for the audit. */
        final VerifiedToken token;
        final RuleSet rules;

        private Refused(BearerChallenge answer, Enum<?> reason, PathRule rule, boolean byRules, String path,
                VerifiedToken token, RuleSet rules) {
            this.answer = answer;
            this.reason = reason;
            this.rule = rule;
            this.byRules = byRules;
            this.path = path;
            this.token = token;
            this.rules = rules;
        }

        /** @return the HTTP status the client gets (for a REQUEST or FORWARD dispatch) */
        public int status() {
            return answer.status();
        }

        /**
         * @return why: a {@link RequestRefusal} (decided before any token was read) or a token's
         *     {@link RejectionReason}
         */
        public Enum<?> reason() {
            return reason;
        }

        @Override
        public PathRule rule() {
            return rule;
        }

        /**
         * Writes the refusal as the filter does: the whole answer for a REQUEST, FORWARD or ASYNC
         * dispatch; nothing for an INCLUDE (the included part is left out); for an ERROR dispatch, the
         * error status without the page. Commits the response.
         *
         * @param request the refused request
         * @param response its response
         * @throws IOException when the answer cannot be written
         */
        public void writeTo(HttpServletRequest request, HttpServletResponse response) throws IOException {
            DispatcherType dispatch = request.getDispatcherType();
            if (LOG.isDebugEnabled()) {
                LOG.debug("refused {} on {} {} (rule {})", reason, dispatch, path,
                        byRules ? rules.location(rule) : "none");
            }
            switch (dispatch) {
                // An include cannot set the status or headers (Servlet 6.0 section 9.3), and resetting the
                // buffer would erase the including page: the refused part is simply left out.
                case INCLUDE -> { }
                case ERROR -> answer.withholdingErrorPage(errorStatus(request)).write(response, rules.realm());
                default -> answer.write(response, rules.realm());
            }
        }
    }

    /**
     * {@link #decide} and then what {@link #doFilter} does before acting: every
     * {@link DecisionListener} of this filter (the rules file's {@code audit}, or given in code) is
     * told about the decision. Integrations that act on the decision themselves, such as the Jakarta
     * Security mechanism, call this, so their requests are audited as the filter's are.
     * {@link #init} (or a constructor with rules) must have run.
     *
     * @param request the request or dispatch
     * @return the decision
     */
    public Decision decideAndAudit(HttpServletRequest request) {
        long started = audit.active() ? System.nanoTime() : 0;   // no listener: no clock, no event
        Decision decision = decide(request);
        if (audit.active()) {
            audit.publish(request, decision, started);   // before the answer leaves: the client never outruns the audit
        }
        return decision;
    }

    /**
     * Decides one request or dispatch, the way {@link #doFilter} does, without acting on it and
     * without telling the audit listeners (see {@link #decideAndAudit}): the path this dispatch
     * targets, a CORS preflight if the rules pass them, what the rules say, the token, its
     * verification and the rule's requirements, the token as the request's principal.
     * {@link #init} (or a constructor with rules) must have run.
     *
     * @param request the request or dispatch
     * @return the decision
     */
    public Decision decide(HttpServletRequest request) {
        String path;
        try {
            path = RequestPath.of(request);                                       // 1. the path this dispatch targets
        } catch (RequestPath.AmbiguousPathException e) {
            return refused(RequestRefusal.AMBIGUOUS_PATH, e.getMessage(), null, false, "-");
        }
        if (rules.corsPreflight() == CorsPreflight.PASS && CorsPreflightRequest.is(request)) {
            // Before the rules, so a preflight never becomes a 405 because no rule lists OPTIONS; exactly
            // the shape a browser sends, without any credentials, and no principal goes with it.
            metrics.preflightPassed();                                            // 1b. a CORS preflight, if allowed
            return new Passed(request, CORS_PREFLIGHT, null, false, path, null);
        }
        RuleDecision decision = rules.match(request.getMethod(), path);          // 2. what the rules say
        if (decision instanceof RuleDecision.Public) {
            return new Passed(request, PUBLIC, decision.rule(), true, path, null);
        }
        if (decision instanceof RuleDecision.Refused refused) {
            return refused(refused, path);
        }
        Requirements requirements = ((RuleDecision.Protected) decision).requirements();
        BearerToken.Extraction credentials = BearerToken.extract(request, rules.queryTokenAllowed());   // 3. the token
        if (!(credentials instanceof BearerToken.Present present)) {
            return credentials instanceof BearerToken.Malformed malformed
                    ? refused(RequestRefusal.MALFORMED_REQUEST, malformed.description(), decision.rule(), true, path)
                    : refused(RequestRefusal.MISSING_TOKEN, BearerChallenge.MISSING_TOKEN, decision.rule(), true, path);
        }
        try {
            VerifiedToken token = verifier.verify(present.source(), present.start(), requirements);   // 4. verify, authorise
            return new Passed(new AuthenticatedRequest(request, token), TOKEN,    // 5. the token as principal
                    decision.rule(), true, path, token);
        } catch (TokenRejectedException e) {
            // Counted by the verifier already.
            return new Refused(BearerChallenge.of(e, verifier.retryAfter(e.errorCode()).toSeconds()), e.reason(),
                    decision.rule(), true, path, e.refusedToken().orElse(null), rules);
        } catch (RuntimeException e) {
            // A bug of ours must not become a 500 or a pass: refuse the token, log without it.
            LOG.warn("token verification failed unexpectedly on {} ({}); refusing", path, e.getClass().getName());
            return new Refused(new BearerChallenge(401, "invalid_token", "token could not be verified", Set.of(), 0, true),
                    RejectionReason.MALFORMED_TOKEN, decision.rule(), true, path, null, rules);
        }
    }

    private Refused refused(RuleDecision.Refused decision, String path) {
        return switch (decision.reason()) {
            case NO_MATCHING_RULE -> refused(RequestRefusal.NO_MATCHING_RULE, BearerChallenge.NO_MATCHING_RULE, null, true,
                    path);
            case BLANK_PATH_VALUE -> refused(RequestRefusal.BLANK_PATH_VALUE, BearerChallenge.BLANK_PATH_VALUE,
                    decision.rule(), true, path);
            case METHOD_NOT_ALLOWED -> {
                metrics.refused(RequestRefusal.METHOD_NOT_ALLOWED);
                yield new Refused(BearerChallenge.of(RequestRefusal.METHOD_NOT_ALLOWED, BearerChallenge.METHOD_NOT_ALLOWED,
                        decision.allowedMethods()), RequestRefusal.METHOD_NOT_ALLOWED, null, true, path, null, rules);
            }
        };
    }

    /** A refusal the filter decides itself (the verifier counts its own), counted here. */
    private Refused refused(RequestRefusal reason, String description, PathRule rule, boolean byRules, String path) {
        metrics.refused(reason);
        return new Refused(BearerChallenge.of(reason, description, Set.of()), reason, rule, byRules, path, null, rules);
    }


    static int errorStatus(HttpServletRequest request) {
        return request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE) instanceof Integer status ? status : 500;
    }

    @Override
    public void destroy() {
        if (ownCounters != null && verifier != null) {
            verifier.close();
        }
    }
}
