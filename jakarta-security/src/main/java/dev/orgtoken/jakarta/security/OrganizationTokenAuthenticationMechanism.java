package dev.orgtoken.jakarta.security;

import dev.orgtoken.VerifiedToken;
import dev.orgtoken.servlet.OrganizationTokenFilter;
import dev.orgtoken.servlet.TokenPrincipal;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.security.enterprise.AuthenticationStatus;
import jakarta.security.enterprise.authentication.mechanism.http.HttpAuthenticationMechanism;
import jakarta.security.enterprise.authentication.mechanism.http.HttpMessageContext;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Jakarta Security 3.0 {@link HttpAuthenticationMechanism} that establishes the caller from a
 * Logto bearer token, decided by the same rules file and verifier as the servlet filter. Being a
 * CDI bean in the application's {@code WEB-INF/lib}, it is found and used by the container (one
 * mechanism per application): add the jar and the rules file, nothing else.
 *
 * <p>For each request the container hands it, the filter's own decision
 * ({@link OrganizationTokenFilter#decideAndAudit}, so the rules file's audit listeners hear it as
 * they hear the filter's) is taken:
 * <ul>
 *   <li>a token passed its rule: the container is told the caller, named by the token's subject
 *       (the principal is a {@link TokenPrincipal}, which carries the {@link VerifiedToken}), with
 *       groups = the granted scopes, plus the values of the roles claim when one is configured.
 *       {@code @RolesAllowed} on EJBs, {@code SecurityContext.isCallerInRole},
 *       {@code HttpServletRequest.isUserInRole} and Jakarta REST's {@code @Context SecurityContext}
 *       all see them. {@code OrganizationTokenFilter.verifiedToken(request)} returns the token;</li>
 *   <li>the rules make the path public: nothing is established, and the container's own
 *       constraints, if any, apply;</li>
 *   <li>refused: the filter's answer is written (400, 401, 403, 405 or 503 with
 *       {@code WWW-Authenticate} and problem+json), and the request goes no further.</li>
 * </ul>
 *
 * <p>Configuration, as {@code web.xml} context parameters:
 * <table>
 *   <caption>Context parameters</caption>
 *   <tr><th>name</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@value #CONFIG_PARAMETER}</td><td>{@value #DEFAULT_CONFIG}</td><td>the rules file:
 *       {@code /WEB-INF/...}, {@code classpath:...} or {@code file:...}, as the filter's {@code config}</td></tr>
 *   <tr><td>{@value #ROLES_CLAIM_PARAMETER}</td><td>none</td><td>a token claim whose values (a list of
 *       strings, or one space-separated string) are added to the caller's groups, for example {@code roles}
 *       from a Logto custom JWT claim</td></tr>
 * </table>
 *
 * <p>The container asks a mechanism about the request as it arrives, not about forwards or
 * includes within the application: dispatches are decided by the caller established for the
 * request. A bad rules file stops the application from starting.
 */
@ApplicationScoped
public class OrganizationTokenAuthenticationMechanism implements HttpAuthenticationMechanism {
    /** The context parameter naming the rules file. */
    public static final String CONFIG_PARAMETER = "dev.orgtoken.config";
    /** The rules file when {@value #CONFIG_PARAMETER} is not set. */
    public static final String DEFAULT_CONFIG = "/WEB-INF/orgtoken.yaml";
    /** The context parameter naming a roles claim. */
    public static final String ROLES_CLAIM_PARAMETER = "dev.orgtoken.roles-claim";

    private static final Logger LOG = LoggerFactory.getLogger(OrganizationTokenAuthenticationMechanism.class);

    private volatile OrganizationTokenFilter decisions;
    private volatile String rolesClaim;

    /** Created by the CDI container. */
    public OrganizationTokenAuthenticationMechanism() {}

    /**
     * Reads the rules file and builds the verifier, once; {@link OrganizationTokenMechanismListener}
     * calls it when the application starts, so a bad file stops the deployment rather than the
     * first request. Idempotent.
     *
     * @param context the application's servlet context
     * @throws IllegalStateException when the rules file is missing or has an error (the message
     *     names the file, line and problem)
     */
    public void start(ServletContext context) {
        decisions(context);
    }

    private OrganizationTokenFilter decisions(ServletContext context) {
        OrganizationTokenFilter ready = decisions;
        if (ready != null) {
            return ready;
        }
        synchronized (this) {
            if (decisions == null) {
                String location = parameter(context, CONFIG_PARAMETER, DEFAULT_CONFIG);
                String claim = parameter(context, ROLES_CLAIM_PARAMETER, null);
                OrganizationTokenFilter filter = new OrganizationTokenFilter();
                try {
                    // The filter's own web.xml set-up: it reads the rules, builds (and owns) the
                    // verifier, and publishes its counters as servlet-context attributes.
                    filter.init(new RulesConfig(context, location));
                } catch (ServletException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
                rolesClaim = claim;
                decisions = filter;
                LOG.info("OrganizationTokenAuthenticationMechanism ready: rules {}, roles claim {}", location,
                        claim == null ? "none" : claim);
            }
            return decisions;
        }
    }

    private static String parameter(ServletContext context, String name, String fallback) {
        String value = context.getInitParameter(name);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    @Override
    public AuthenticationStatus validateRequest(HttpServletRequest request, HttpServletResponse response,
            HttpMessageContext context) {
        OrganizationTokenFilter.Decision decision;
        try {
            decision = decisions(request.getServletContext()).decideAndAudit(request);   // audited as the filter's are
        } catch (RuntimeException e) {
            // Never a pass on a failure of ours.
            LOG.warn("orgtoken could not decide a request ({}); refusing", e.getClass().getName());
            return context.responseUnauthorized();
        }
        if (decision instanceof OrganizationTokenFilter.Passed passed) {
            if (passed.token().isEmpty()) {
                return context.doNothing();
            }
            VerifiedToken token = passed.token().get();
            return context.notifyContainerAboutLogin(new TokenPrincipal(token), groups(token, rolesClaim));
        }
        try {
            ((OrganizationTokenFilter.Refused) decision).writeTo(request, response);
        } catch (IOException e) {
            LOG.debug("could not write a refusal: {}", e.toString());
        }
        return AuthenticationStatus.SEND_FAILURE;
    }

    /**
     * The caller's groups: the granted scopes, and the roles claim's values when one is configured.
     *
     * @param token the verified token
     * @param claim the roles claim, or null for none
     * @return the groups, in a stable order
     */
    static Set<String> groups(VerifiedToken token, String claim) {
        Set<String> groups = new LinkedHashSet<>(token.scopes());
        if (claim != null) {
            token.claim(claim).ifPresent(value -> {
                if (value instanceof String roles) {
                    for (String role : roles.trim().split("\\s+")) {
                        if (!role.isEmpty()) {
                            groups.add(role);
                        }
                    }
                } else if (value instanceof Collection<?> roles) {
                    roles.stream().filter(String.class::isInstance).map(String.class::cast)
                            .filter(role -> !role.isBlank()).forEach(groups::add);
                }
            });
        }
        return groups;
    }

    /** Stops the verifier's background refreshes when the application stops. */
    @PreDestroy
    void stop() {
        OrganizationTokenFilter filter = decisions;
        if (filter != null) {
            filter.destroy();
        }
    }

    /** The filter's {@code web.xml} configuration, with the rules file as its {@code config} init-param. */
    private record RulesConfig(ServletContext context, String location) implements FilterConfig {
        @Override
        public String getFilterName() {
            return "orgtoken-jakarta-security";
        }

        @Override
        public ServletContext getServletContext() {
            return context;
        }

        @Override
        public String getInitParameter(String name) {
            return OrganizationTokenFilter.CONFIG_PARAMETER.equals(name) ? location : null;
        }

        @Override
        public Enumeration<String> getInitParameterNames() {
            return Collections.enumeration(List.of(OrganizationTokenFilter.CONFIG_PARAMETER));
        }
    }
}
