package dev.orgtoken.sample;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The sample's CORS handling, mapped in front of the token filter: it adds the CORS headers for an
 * allowed origin ({@code ORGTOKEN_CORS_ORIGINS}, comma-separated; default {@code http://localhost:5173},
 * a Vite dev server) to every answer, refusals included, so a browser app can read a 401 or 403, and
 * hands every request on, preflights included, as Jetty's {@code CrossOriginHandler} does with
 * {@code deliverPreflightRequests}. A preflight carries no token, so the rules file's
 * {@code cors-preflight: pass} is what lets it through the token filter; the servlet behind then
 * answers {@code OPTIONS} (200 with {@code Allow}). A disallowed origin gets no CORS headers, and the
 * browser keeps the answer from the page.
 */
public final class CorsHeadersFilter implements Filter {
    static final String DEFAULT_ORIGINS = "http://localhost:5173";
    private Set<String> origins;

    @Override
    public void init(FilterConfig config) {
        origins = new LinkedHashSet<>();
        for (String origin : Settings.get("ORGTOKEN_CORS_ORIGINS").orElse(DEFAULT_ORIGINS).split(",")) {
            if (!origin.isBlank()) {
                origins.add(origin.trim());
            }
        }
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        String origin = request.getHeader("Origin");
        response.addHeader("Vary", "Origin");
        if (origin != null && origins.contains(origin)) {
            response.setHeader("Access-Control-Allow-Origin", origin);
            response.setHeader("Access-Control-Expose-Headers", "WWW-Authenticate");
            if ("OPTIONS".equals(request.getMethod()) && request.getHeader("Access-Control-Request-Method") != null) {
                response.setHeader("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE");
                response.setHeader("Access-Control-Allow-Headers", "Authorization, Content-Type");
                response.setHeader("Access-Control-Max-Age", "600");
            }
        }
        chain.doFilter(request, response);
    }
}
