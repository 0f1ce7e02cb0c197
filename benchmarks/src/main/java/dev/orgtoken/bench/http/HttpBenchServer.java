package dev.orgtoken.bench.http;

import dev.orgtoken.OrganizationTokenVerifier;
import dev.orgtoken.VerifierCounters;
import dev.orgtoken.bench.Accp;
import dev.orgtoken.bench.PathRules;
import dev.orgtoken.bench.Tokens;
import dev.orgtoken.rules.RuleSet;
import dev.orgtoken.servlet.OrganizationTokenFilter;
import dev.orgtoken.testkit.LogtoTestIssuer;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.jose4j.jws.EcdsaUsingShaAlgorithm;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * One Jetty 12 server, one connector, one thread pool, five contexts serving the same
 * {@link HelloServlet} at {@code /api/organizations/{org}/members}:
 * <ul>
 *   <li>{@code /open}: no filter (the ceiling);</li>
 *   <li>{@code /noop}: a pass-through filter that only wraps the request with a fixed principal
 *       and sets one attribute, as ours does on a pass: what the container's filter chain and a
 *       request wrapper cost by themselves;</li>
 *   <li>{@code /ours}: {@link OrganizationTokenFilter} with the 50-rule file, JDK providers;</li>
 *   <li>{@code /ours-native}: the same with {@code nativeCrypto(true)} (ACCP);</li>
 *   <li>{@code /spring}: Spring Security's resource server ({@link SpringPeer});</li>
 *   <li>{@code /raw}: the noop wrapper after one raw JDK {@code Signature.verify} of the token's
 *       signature with the issuer's key (a per-thread, initialised {@code Signature}; no JSON, no
 *       claims, no cache): the HTTP floor a verifier that checks every new token can reach;</li>
 *   <li>{@code /raw-native}: the same with ACCP's {@code Signature} (the JDK's where ACCP cannot
 *       load): the floor for {@code /ours-native};</li>
 *   <li>{@code /stats}: counters, for the run script to prove warm runs hit and cold runs miss.</li>
 * </ul>
 * Before it listens it writes {@code warm.token} (one token) and {@code cold.tokens} (distinct
 * tokens, one per line) to the output directory, then {@code ready}.
 *
 * <pre>taskset -c 0 java -cp benchmarks/target/benchmarks.jar dev.orgtoken.bench.http.HttpBenchServer
 *     --port 18080 --out DIR --cold-tokens 120000</pre>
 */
public final class HttpBenchServer {
    private HttpBenchServer() {}

    public static void main(String[] args) throws Exception {
        int port = 18080;
        Path out = Path.of("target/http");
        int coldTokens = 120_000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--cold-tokens" -> coldTokens = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Running running = start(port, out, coldTokens);
        Files.writeString(out.resolve("ready"), "ready\n");
        running.server().join();
    }

    /**
     * A started server.
     *
     * @param server the Jetty server
     * @param issuer the issuer its verifiers and the Spring decoder trust
     * @param port the port it listens on (127.0.0.1)
     * @param ours the counters of {@code /ours}
     * @param oursNative the counters of {@code /ours-native}
     */
    public record Running(Server server, LogtoTestIssuer issuer, int port, VerifierCounters ours,
            VerifierCounters oursNative) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            server.stop();
            issuer.close();
        }
    }

    /**
     * Mints the token files, then starts the server.
     *
     * @param port the port, 0 for any
     * @param out where {@code warm.token}, {@code forged.token} and {@code cold.tokens} go
     * @param coldTokens how many distinct tokens to write to {@code cold.tokens}
     * @return the running server
     * @throws Exception when it cannot start
     */
    public static Running start(int port, Path out, int coldTokens) throws Exception {
        Files.createDirectories(out);
        Files.deleteIfExists(out.resolve("ready"));

        LogtoTestIssuer issuer = LogtoTestIssuer.start(); // ES384, like Logto
        long t0 = System.nanoTime();
        Tokens minter = new Tokens(issuer, Accp.forMinting(), System.nanoTime());
        Files.writeString(out.resolve("warm.token"), minter.next() + "\n", StandardCharsets.US_ASCII);
        // The flood: a token of the right shape with the real kid and a changed signature, so every
        // request costs a full signature check and is refused (a refused token is never cached).
        String genuine = minter.next();
        int cut = genuine.lastIndexOf('.') + 1;
        char first = genuine.charAt(cut);
        String forged = genuine.substring(0, cut) + (first == 'A' ? 'B' : 'A') + genuine.substring(cut + 1);
        Files.writeString(out.resolve("forged.token"), forged + "\n", StandardCharsets.US_ASCII);
        try (BufferedWriter w = Files.newBufferedWriter(out.resolve("cold.tokens"), StandardCharsets.US_ASCII)) {
            for (int i = 0; i < coldTokens; i++) {
                w.write(minter.next());
                w.write('\n');
            }
        }
        System.out.printf("minted %d tokens in %.1f s (signed with ACCP: only the signing is faster)%n", coldTokens + 1,
                (System.nanoTime() - t0) / 1e9);

        RuleSet rules = PathRules.load();
        // -Dbench.max-concurrent-verifications=N (run-http.sh: SERVER_OPTS) overrides the
        // verification stage's bound for both of ours, to measure what the bound costs the cold path.
        int permits = Integer.getInteger("bench.max-concurrent-verifications", 0);
        VerifierCounters oursCounters = new VerifierCounters();
        OrganizationTokenVerifier.Builder oursBuilder = OrganizationTokenVerifier.builder()
                .logtoEndpoint(issuer.endpoint().toString()).metrics(oursCounters);
        VerifierCounters nativeCounters = new VerifierCounters();
        OrganizationTokenVerifier.Builder nativeBuilder = OrganizationTokenVerifier.builder()
                .logtoEndpoint(issuer.endpoint().toString()).metrics(nativeCounters).nativeCrypto(true);
        if (permits > 0) {
            oursBuilder.maxConcurrentVerifications(permits);
            nativeBuilder.maxConcurrentVerifications(permits);
            System.out.println("verification stage: at most " + permits + " checks at once (bench.max-concurrent-verifications)");
        }
        OrganizationTokenVerifier ours = oursBuilder.build();
        OrganizationTokenVerifier oursNative = nativeBuilder.build();
        NimbusJwtDecoder decoder = SpringPeer.decoder(issuer.jwksUri().toString(), issuer.issuer(), Tokens.API);

        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(InetAddress.getLoopbackAddress().getHostAddress());
        connector.setPort(port);
        server.addConnector(connector);
        ContextHandlerCollection contexts = new ContextHandlerCollection();
        contexts.addHandler(context("/open", List.of()));
        contexts.addHandler(context("/noop", List.of(new PassThroughFilter())));
        contexts.addHandler(context("/ours", List.of(new OrganizationTokenFilter(rules, ours))));
        contexts.addHandler(context("/ours-native",
                List.of(new OrganizationTokenFilter(rules, oursNative))));
        contexts.addHandler(context("/spring", SpringPeer.filters(decoder)));
        contexts.addHandler(context("/raw", List.of(new RawSignatureFilter(issuer.currentKey().publicKey(), null))));
        contexts.addHandler(context("/raw-native", List.of(new RawSignatureFilter(issuer.currentKey().publicKey(),
                Accp.forMinting()))));
        ServletContextHandler stats = new ServletContextHandler("/stats");
        stats.addServlet(new ServletHolder(new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                response.setContentType("text/plain");
                response.getWriter().printf(
                        "ours.hits=%d%nours.misses=%d%nours.accepted=%d%nours.rejected=%d%nours.busy=%d%n"
                                + "native.hits=%d%nnative.misses=%d%nnative.accepted=%d%nnative.rejected=%d%n"
                                + "jwks.requests=%d%n",
                        oursCounters.tokenCacheHitCount(), oursCounters.tokenCacheMissCount(),
                        oursCounters.acceptedCount(), oursCounters.rejectedCount(),
                        oursCounters.rejectedCount(dev.orgtoken.RejectionReason.VERIFICATION_BUSY),
                        nativeCounters.tokenCacheHitCount(), nativeCounters.tokenCacheMissCount(),
                        nativeCounters.acceptedCount(), nativeCounters.rejectedCount(), issuer.jwksRequests());
            }
        }), "/*");
        contexts.addHandler(stats);
        server.setHandler(contexts);
        server.start();
        int actualPort = connector.getLocalPort();
        System.out.printf("listening on http://%s:%d (open, noop, ours, ours-native, spring, raw, raw-native, stats); "
                + "ours-native verifies with %s; processors %d; %s%n", connector.getHost(), actualPort,
                oursNative.signatureProvider().orElse("the JDK"), Runtime.getRuntime().availableProcessors(),
                Accp.describe());
        return new Running(server, issuer, actualPort, oursCounters, nativeCounters);
    }

    /** Wraps the request with a fixed principal and sets one attribute; checks nothing. */
    static final class PassThroughFilter implements Filter {
        private static final Principal PRINCIPAL = () -> "noop";

        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            request.setAttribute("bench.noop", PRINCIPAL);
            chain.doFilter(new HttpServletRequestWrapper((HttpServletRequest) request) {
                @Override
                public Principal getUserPrincipal() {
                    return PRINCIPAL;
                }
            }, response);
        }
    }

    /**
     * One raw JDK signature check per request, then the noop wrapper: the cold path's floor over
     * HTTP. A JWS carries ES384 signatures as the P1363 concatenation; like the JMH floor, this
     * converts it to DER (what {@code SHA384withECDSA} takes from every provider) and verifies.
     */
    static final class RawSignatureFilter implements Filter {
        private final ThreadLocal<Signature> signature;
        private final PassThroughFilter pass = new PassThroughFilter();

        RawSignatureFilter(PublicKey key, Provider provider) {
            this.signature = ThreadLocal.withInitial(() -> {
                try {
                    Signature s = provider == null ? Signature.getInstance("SHA384withECDSA")
                            : Signature.getInstance("SHA384withECDSA", provider);
                    s.initVerify(key);
                    return s;
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException(e);
                }
            });
        }

        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            String header = ((HttpServletRequest) request).getHeader("Authorization");
            boolean valid = false;
            if (header != null && header.startsWith("Bearer ")) {
                int dot = header.lastIndexOf('.');
                try {
                    Signature s = signature.get();
                    s.update(header.substring(7, dot).getBytes(StandardCharsets.US_ASCII));
                    valid = s.verify(EcdsaUsingShaAlgorithm.convertConcatenatedToDer(
                            Base64.getUrlDecoder().decode(header.substring(dot + 1))));
                } catch (GeneralSecurityException | IOException | IllegalArgumentException | IndexOutOfBoundsException e) {
                    valid = false;
                }
            }
            if (!valid) {
                ((HttpServletResponse) response).sendError(401);
                return;
            }
            pass.doFilter(request, response, chain);
        }
    }

    private static ServletContextHandler context(String path, List<Filter> filters) {
        ServletContextHandler context = new ServletContextHandler(path);
        for (Filter f : filters) {
            context.addFilter(new FilterHolder(f), "/*", EnumSet.of(DispatcherType.REQUEST));
        }
        context.addServlet(new ServletHolder(new HelloServlet()), "/*");
        return context;
    }
}
