package dev.orgtoken.bench;

import dev.orgtoken.OrganizationTokenVerifier;
import dev.orgtoken.VerifierCounters;
import dev.orgtoken.rules.RuleSet;
import dev.orgtoken.servlet.OrganizationTokenFilter;
import dev.orgtoken.testkit.LogtoTestIssuer;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The whole filter on the warm path, without a container: raw-path check, rule matching on the
 * 50-rule file (rule 17 matches), bearer-token extraction, cached verification, requirements,
 * principal wrapper. The request and response are minimal stubs, so the score is the filter's
 * own cost per request; {@code -prof gc} gives its allocations.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar FilterWarm -prof gc</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class FilterWarm {
    private LogtoTestIssuer issuer;
    private OrganizationTokenVerifier verifier;
    private final VerifierCounters counters = new VerifierCounters();
    private OrganizationTokenFilter filter;
    private StubRequest request;
    private HttpServletResponse response;
    private Blackhole blackhole;
    private final FilterChain chain = (req, res) -> blackhole.consume(((HttpServletRequest) req).getUserPrincipal());

    @Setup(Level.Trial)
    public void setUp(Blackhole bh) throws Exception {
        blackhole = bh;
        issuer = LogtoTestIssuer.start();
        String token = new Tokens(issuer, null, 3).next();
        RuleSet rules = PathRules.load();
        verifier = OrganizationTokenVerifier.builder().logtoEndpoint(issuer.endpoint().toString()).metrics(counters).build();
        filter = new OrganizationTokenFilter(rules, verifier);
        request = new StubRequest("GET", "/ours", "/api/organizations/" + Tokens.ORGANIZATION + "/members",
                "Bearer " + token);
        response = new HttpServletResponseWrapper(stub(HttpServletResponse.class));
        filter.doFilter(request, response, chain);
        if (counters.acceptedCount() != 1) {
            throw new IllegalStateException("the stub request was not accepted: " + counters);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        System.out.printf("%n[FilterWarm] %s%n", counters);
        verifier.close();
        issuer.close();
    }

    @Benchmark
    public void filter() throws Exception {
        filter.doFilter(request, response, chain);
    }

    @SuppressWarnings("unchecked")
    static <T> T stub(Class<T> type) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, a) -> {
            throw new UnsupportedOperationException("stub: " + m.getName());
        });
    }

    /** The few request methods the filter calls, answered from fields. */
    static final class StubRequest extends HttpServletRequestWrapper {
        private final String method;
        private final String contextPath;
        private final String path;
        private final String authorization;
        private final Map<String, Object> attributes = new HashMap<>();

        StubRequest(String method, String contextPath, String path, String authorization) {
            super(stub(HttpServletRequest.class));
            this.method = method;
            this.contextPath = contextPath;
            this.path = path;
            this.authorization = authorization;
        }

        @Override
        public String getMethod() {
            return method;
        }

        @Override
        public DispatcherType getDispatcherType() {
            return DispatcherType.REQUEST;
        }

        @Override
        public String getRequestURI() {
            return contextPath + path;
        }

        @Override
        public String getContextPath() {
            return contextPath;
        }

        @Override
        public String getServletPath() {
            return "";
        }

        @Override
        public String getPathInfo() {
            return path;
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
        public void setAttribute(String name, Object o) {
            attributes.put(name, o);
        }

        @Override
        public void removeAttribute(String name) {
            attributes.remove(name);
        }

        @Override
        public ServletRequest getRequest() {
            return super.getRequest();
        }
    }

    static ServletResponse unused() {
        return null;
    }
}
