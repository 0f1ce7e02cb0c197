package dev.orgtoken.bench;

import dev.orgtoken.OrganizationTokenVerifier;
import dev.orgtoken.Requirements;
import dev.orgtoken.TokenRejectedException;
import dev.orgtoken.VerifiedToken;
import dev.orgtoken.VerifierCounters;
import dev.orgtoken.testkit.KeyType;
import dev.orgtoken.testkit.LogtoTestIssuer;
import java.nio.charset.StandardCharsets;
import java.security.Provider;
import java.security.Signature;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jose4j.jws.EcdsaUsingShaAlgorithm;
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
 * The cold path: a new valid token on every call, so the verifier does all its work (shape,
 * SHA-256, cache miss, header, claims, key lookup, signature, cache insert), against the floor:
 * the same provider's {@code Signature.verify} on the same key with everything precomputed.
 *
 * <p>{@code verifier} cycles through 1,024 distinct tokens with a one-entry token cache, so every
 * call is a miss (the tear-down prints the hit count to prove it). {@code rawSignature} reuses one
 * initialised {@code Signature} and precomputed DER signatures: nothing but the math.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar ColdVerify -prof gc</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class ColdVerify {
    private static final int TOKENS = 1024;

    @Param({"ES256", "ES384", "ES512", "RS256"})
    public String alg;

    /** jdk: the JDK's providers (SunEC, SunRsaSign); accp: nativeCrypto(true). */
    @Param({"jdk", "accp"})
    public String provider;

    private LogtoTestIssuer issuer;
    private OrganizationTokenVerifier verifier;
    private final VerifierCounters counters = new VerifierCounters();
    private final Requirements requirements =
            Requirements.audience(Tokens.API).organization(Tokens.ORGANIZATION).scopes("read:members");
    private String[] tokens;
    private byte[][] signingInputs;
    private byte[][] signatures;
    private Signature raw;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        KeyType type = Tokens.keyType(alg);
        issuer = LogtoTestIssuer.builder().keyType(type).build();
        boolean nativeCrypto = provider.equals("accp");
        Provider accp = nativeCrypto ? Accp.install() : null; // appended, as nativeCrypto(true) does
        Tokens minter = new Tokens(issuer, Accp.forMinting(), 42);
        tokens = new String[TOKENS];
        signingInputs = new byte[TOKENS][];
        signatures = new byte[TOKENS][];
        Base64.Decoder b64 = Base64.getUrlDecoder();
        for (int i = 0; i < TOKENS; i++) {
            tokens[i] = minter.next();
            int dot = tokens[i].lastIndexOf('.');
            signingInputs[i] = tokens[i].substring(0, dot).getBytes(StandardCharsets.US_ASCII);
            byte[] jws = b64.decode(tokens[i].substring(dot + 1));
            signatures[i] = type.isEc() ? EcdsaUsingShaAlgorithm.convertConcatenatedToDer(jws) : jws;
        }
        raw = nativeCrypto ? Signature.getInstance(Tokens.javaAlgorithm(type), accp)
                : Signature.getInstance(Tokens.javaAlgorithm(type));
        raw.initVerify(minter.key().publicKey());
        verifier = OrganizationTokenVerifier.builder()
                .logtoEndpoint(issuer.endpoint().toString())
                .tokenCacheSize(1)
                .nativeCrypto(nativeCrypto)
                .metrics(counters)
                .build();
        if (!verifier.warmUp()) {
            throw new IllegalStateException("no keys");
        }
        if (!verifier.signatureProvider().equals(nativeCrypto ? Optional.of(Accp.NAME) : Optional.empty())) {
            throw new IllegalStateException("unexpected provider " + verifier.signatureProvider());
        }
        for (int i = 0; i < TOKENS; i++) { // every token must be valid, and the raw floor must agree
            verifier.verify(tokens[i], requirements);
            raw.update(signingInputs[i]);
            if (!raw.verify(signatures[i])) {
                throw new IllegalStateException("raw verify failed");
            }
        }
        System.out.println("\n[ColdVerify " + alg + "/" + provider + "] raw provider: " + raw.getProvider().getName()
                + ", verifier provider: " + verifier.signatureProvider().orElse("JDK default"));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        System.out.printf("%n[ColdVerify %s/%s] token cache: %d hits, %d misses (cold means misses)%n", alg, provider,
                counters.tokenCacheHitCount(), counters.tokenCacheMissCount());
        verifier.close();
        issuer.close();
    }

    @Benchmark
    public VerifiedToken verifier() throws TokenRejectedException {
        return verifier.verify(tokens[next++ & (TOKENS - 1)], requirements);
    }

    @Benchmark
    public boolean rawSignature() throws Exception {
        int i = next++ & (TOKENS - 1);
        raw.update(signingInputs[i]);
        return raw.verify(signatures[i]);
    }
}
