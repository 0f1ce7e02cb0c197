package dev.orgtoken.bench.http;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.SecurityContext;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.Principal;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;

/**
 * The peer: Spring Security's OAuth2 resource server, set up the way Logto's Spring Boot guide
 * does (a {@link NimbusJwtDecoder} from the JWKS URI, ES384, {@code typ} {@code at+jwt}, issuer,
 * audience and timestamp validators), wired without Spring Boot: Spring's own
 * {@link BearerTokenAuthenticationFilter} with a {@link JwtAuthenticationProvider}, then the same
 * authorisation the rules file asks of our filter for this path (scope {@code read:members}, the
 * token's {@code organization_id} equal to the path's), as an application would write it with
 * {@code hasAuthority("SCOPE_read:members")} and a check of the claim.
 */
public final class SpringPeer {
    private static final Pattern MEMBERS = Pattern.compile("^/api/organizations/([^/]+)/members(?:/.*)?$");

    private SpringPeer() {}

    /**
     * @param jwksUri the issuer's JWKS
     * @param issuer the exact issuer
     * @param audience the API resource indicator
     * @return the decoder, as in Logto's Spring Boot guide
     */
    public static NimbusJwtDecoder decoder(String jwksUri, String issuer, String audience) {
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSetUri(jwksUri)
                .jwsAlgorithm(SignatureAlgorithm.ES384)
                .jwtProcessorCustomizer(processor -> processor.setJWSTypeVerifier(
                        new DefaultJOSEObjectTypeVerifier<SecurityContext>(new JOSEObjectType("at+jwt"))))
                .build();
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(
                new JwtClaimValidator<List<String>>(JwtClaimNames.AUD, aud -> aud != null && aud.contains(audience)),
                new JwtIssuerValidator(issuer),
                new JwtTimestampValidator()));
        return decoder;
    }

    /**
     * @param decoder the decoder
     * @return the filters, in order: Spring's bearer-token authentication, then authorisation
     */
    public static List<Filter> filters(NimbusJwtDecoder decoder) {
        BearerTokenAuthenticationFilter authentication =
                new BearerTokenAuthenticationFilter(new ProviderManager(new JwtAuthenticationProvider(decoder)));
        return List.of(authentication, new Authorization());
    }

    /** 401 without authentication, 403 without the scope or for another organization. */
    static final class Authorization implements Filter {
        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
                throws IOException, ServletException {
            HttpServletRequest request = (HttpServletRequest) req;
            HttpServletResponse response = (HttpServletResponse) res;
            try {
                Authentication auth = SecurityContextHolder.getContext().getAuthentication();
                if (!(auth instanceof JwtAuthenticationToken jwtAuth) || !auth.isAuthenticated()) {
                    response.setHeader("WWW-Authenticate", "Bearer");
                    response.sendError(401);
                    return;
                }
                String path = request.getRequestURI().substring(request.getContextPath().length());
                Matcher m = MEMBERS.matcher(path);
                Jwt jwt = jwtAuth.getToken();
                boolean scoped = auth.getAuthorities().stream().anyMatch(a -> "SCOPE_read:members".equals(a.getAuthority()));
                if (!m.matches() || !scoped || !m.group(1).equals(jwt.getClaimAsString("organization_id"))) {
                    response.sendError(403);
                    return;
                }
                // What Spring's SecurityContextHolderAwareRequestFilter gives the application.
                chain.doFilter(new HttpServletRequestWrapper(request) {
                    @Override
                    public Principal getUserPrincipal() {
                        return auth;
                    }
                }, response);
            } finally {
                SecurityContextHolder.clearContext();
            }
        }
    }
}
