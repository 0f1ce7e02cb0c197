package dev.orgtoken.bench;

import dev.orgtoken.OrganizationTokenVerifier;
import dev.orgtoken.Requirements;
import dev.orgtoken.TokenRejectedException;
import dev.orgtoken.VerifiedToken;
import dev.orgtoken.VerifierCounters;
import dev.orgtoken.testkit.LogtoTestIssuer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The warm path: the same valid token on every call, answered from the verified-token cache
 * (SHA-256 of the token, cache lookup, time and requirement checks; no signature, no JSON).
 * {@code sha256Only} is the floor the cache key costs by itself.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar WarmVerify -prof gc</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class WarmVerify {
    @Param({"ES256", "ES384", "ES512", "RS256"})
    public String alg;

    private LogtoTestIssuer issuer;
    private OrganizationTokenVerifier verifier;
    private final VerifierCounters counters = new VerifierCounters();
    private final Requirements requirements =
            Requirements.audience(Tokens.API).organization(Tokens.ORGANIZATION).scopes("read:members");
    private String token;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        issuer = LogtoTestIssuer.builder().keyType(Tokens.keyType(alg)).build();
        token = new Tokens(issuer, null, 7).next();
        verifier = OrganizationTokenVerifier.builder()
                .logtoEndpoint(issuer.endpoint().toString())
                .metrics(counters)
                .build();
        verifier.verify(token, requirements);
        System.out.printf("%n[WarmVerify %s] token length %d%n", alg, token.length());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        System.out.printf("%n[WarmVerify %s] token cache: %d hits, %d misses (warm means hits)%n", alg,
                counters.tokenCacheHitCount(), counters.tokenCacheMissCount());
        verifier.close();
        issuer.close();
    }

    @Benchmark
    public VerifiedToken verifier() throws TokenRejectedException {
        return verifier.verify(token, requirements);
    }

    @Benchmark
    public byte[] sha256Only() throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.ISO_8859_1));
    }
}
