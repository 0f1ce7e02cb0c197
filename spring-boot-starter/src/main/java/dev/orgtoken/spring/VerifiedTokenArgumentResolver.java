package dev.orgtoken.spring;

import dev.orgtoken.VerifiedToken;
import dev.orgtoken.servlet.OrganizationTokenFilter;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.server.ResponseStatusException;

/**
 * Resolves controller parameters of type {@link VerifiedToken} (the token the filter verified for
 * this request) and {@code Optional<VerifiedToken>} (empty on a public path).
 *
 * <pre>{@code
 * @GetMapping("/api/organizations/{id}/members")
 * List<Member> members(@PathVariable String id, VerifiedToken token) { ... }
 * }</pre>
 *
 * <p>A {@code VerifiedToken} parameter on a path the rules make public has no token to give: the
 * request is refused with 401 rather than handing the controller a null.
 */
public final class VerifiedTokenArgumentResolver implements HandlerMethodArgumentResolver {

    /** Creates the resolver; the starter registers one with Spring MVC. */
    public VerifiedTokenArgumentResolver() {}

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == VerifiedToken.class
                || (parameter.getParameterType() == Optional.class
                        && parameter.nested().getNestedParameterType() == VerifiedToken.class);
    }

    @Override
    public Object resolveArgument(MethodParameter parameter, ModelAndViewContainer mavContainer,
            NativeWebRequest webRequest, WebDataBinderFactory binderFactory) {
        HttpServletRequest request = webRequest.getNativeRequest(HttpServletRequest.class);
        Optional<VerifiedToken> token = request == null ? Optional.empty() : OrganizationTokenFilter.verifiedToken(request);
        if (parameter.getParameterType() == Optional.class) {
            return token;
        }
        return token.orElseThrow(() -> new ResponseStatusException(HttpStatus.UNAUTHORIZED,
                "a bearer token is required (the rules file makes this path public, the controller needs a token)"));
    }
}
