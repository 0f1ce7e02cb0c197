package dev.orgtoken.bench;

import dev.orgtoken.OrganizationTokenVerifier;
import dev.orgtoken.Requirements;
import dev.orgtoken.TokenRejectedException;
import dev.orgtoken.VerifiedToken;
import dev.orgtoken.testkit.LogtoTestIssuer;
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

/**
 * Requirement checks on a cached (warm) ES384 token: audience only; audience, organization and
 * scope with the requirements built once (what the filter does for a rule without path
 * variables); built per request (a rule with {@code {organizationId}}); and a refusal (403,
 * missing scope: the exception path).
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar RequirementChecks -prof gc</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class RequirementChecks {
    private LogtoTestIssuer issuer;
    private OrganizationTokenVerifier verifier;
    private String token;
    private String organizationFromPath;
    private final Requirements audienceOnly = Requirements.audience(Tokens.API);
    private final Requirements organizationAndScopes =
            Requirements.audience(Tokens.API).organization(Tokens.ORGANIZATION).scopes("read:members", "invite:member");
    private final Requirements missingScope = Requirements.audience(Tokens.API).scopes("delete:organization");

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        issuer = LogtoTestIssuer.start();
        token = new Tokens(issuer, null, 11).next();
        verifier = OrganizationTokenVerifier.builder().logtoEndpoint(issuer.endpoint().toString()).build();
        verifier.verify(token, organizationAndScopes);
        organizationFromPath = new String(Tokens.ORGANIZATION.toCharArray()); // not the interned literal
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        verifier.close();
        issuer.close();
    }

    @Benchmark
    public VerifiedToken audienceOnly() throws TokenRejectedException {
        return verifier.verify(token, audienceOnly);
    }

    @Benchmark
    public VerifiedToken organizationAndScopesPrebuilt() throws TokenRejectedException {
        return verifier.verify(token, organizationAndScopes);
    }

    @Benchmark
    public VerifiedToken organizationAndScopesBuiltPerRequest() throws TokenRejectedException {
        return verifier.verify(token,
                Requirements.audience(Tokens.API).organization(organizationFromPath).scopes("read:members"));
    }

    @Benchmark
    public Object refusedMissingScope() {
        try {
            return verifier.verify(token, missingScope);
        } catch (TokenRejectedException e) {
            return e;
        }
    }
}
