package dev.orgtoken.servlet;

import static dev.orgtoken.servlet.TestRules.ORG_API;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.OrganizationTokenVerifier;
import dev.orgtoken.VerifierCounters;
import dev.orgtoken.testkit.LogtoTestIssuer;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With no decision listener the warm path builds no event: the filter's allocations per request,
 * measured with the JVM's per-thread allocation counter over many warm requests, are smaller than with
 * a listener by at least an event (the record, its time and duration, the rule's location). The
 * request and response are minimal stubs of the servlet API, as in the {@code FilterWarm} benchmark.
 */
class DecisionListenerCostTest {
    private static final int CALLS = 20_000;

    private volatile DecisionEvent kept;

    @Test
    void noListenerMeansNoEvent() throws Exception {
        try (LogtoTestIssuer issuer = LogtoTestIssuer.start();
                OrganizationTokenVerifier verifier = OrganizationTokenVerifier.builder()
                        .logtoEndpoint(issuer.endpoint().toString()).metrics(new VerifierCounters()).build()) {
            String token = issuer.globalApiToken("u1", ORG_API).sign();
            OrganizationTokenFilter quiet = new OrganizationTokenFilter(TestRules.load(issuer.endpoint()), verifier,
                    FilterMetrics.NONE);
            OrganizationTokenFilter audited = new OrganizationTokenFilter(TestRules.load(issuer.endpoint()), verifier,
                    FilterMetrics.NONE, List.of(event -> kept = event));
            StubRequest request = new StubRequest("/api/me", "Bearer " + token);
            HttpServletResponse response = new HttpServletResponseWrapper(stub(HttpServletResponse.class));
            int[] passed = new int[1];
            FilterChain chain = (req, res) -> passed[0]++;

            double quietBytes = bytesPerCall(quiet, request, response, chain);
            double auditedBytes = bytesPerCall(audited, request, response, chain);
            System.out.printf("DecisionListenerCostTest: %.0f bytes per warm request without a listener, %.0f with one%n",
                    quietBytes, auditedBytes);
            assertEquals(4 * CALLS, passed[0], "every call passed");
            assertTrue(kept != null && kept.passed());
            assertTrue(auditedBytes - quietBytes >= 64, "an event costs at least 64 bytes, so without a listener none was"
                    + " built: " + quietBytes + " vs " + auditedBytes);
        }
    }

    private static double bytesPerCall(OrganizationTokenFilter filter, StubRequest request, HttpServletResponse response,
            FilterChain chain) throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < CALLS; i++) {   // warm up: the token is cached, the code compiled
            filter.doFilter(request, response, chain);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < CALLS; i++) {
            filter.doFilter(request, response, chain);
        }
        return (threads.getCurrentThreadAllocatedBytes() - before) / (double) CALLS;
    }

    @SuppressWarnings("unchecked")
    private static <T> T stub(Class<T> type) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, a) -> {
            throw new UnsupportedOperationException("stub: " + m.getName());
        });
    }

    /** The few request methods the filter calls, answered from fields. */
    private static final class StubRequest extends HttpServletRequestWrapper {
        private final String path;
        private final String authorization;
        private final Map<String, Object> attributes = new HashMap<>();

        StubRequest(String path, String authorization) {
            super(stub(HttpServletRequest.class));
            this.path = path;
            this.authorization = authorization;
        }

        @Override
        public DispatcherType getDispatcherType() {
            return DispatcherType.REQUEST;
        }

        @Override
        public String getMethod() {
            return "GET";
        }

        @Override
        public String getRequestURI() {
            return path;
        }

        @Override
        public String getContextPath() {
            return "";
        }

        @Override
        public String getServletPath() {
            return path;
        }

        @Override
        public String getPathInfo() {
            return null;
        }

        @Override
        public String getQueryString() {
            return null;
        }

        @Override
        public String getHeader(String name) {
            return name.equalsIgnoreCase("Authorization") ? authorization : null;
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            return name.equalsIgnoreCase("Authorization") ? Collections.enumeration(List.of(authorization))
                    : Collections.emptyEnumeration();
        }

        @Override
        public Object getAttribute(String name) {
            return attributes.get(name);
        }

        @Override
        public void setAttribute(String name, Object value) {
            attributes.put(name, value);
        }
    }
}
