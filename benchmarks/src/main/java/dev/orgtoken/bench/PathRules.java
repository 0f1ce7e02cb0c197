package dev.orgtoken.bench;

import dev.orgtoken.rules.RuleDecision;
import dev.orgtoken.rules.RuleSet;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Path-rule matching on a realistic 50-rule file ({@code rules-50.yaml}): first rule, the
 * members rule the HTTP benchmark hits (rule 17, two variables' worth of path), a deep rule near
 * the end with four variables, and a path no rule matches (all 50 tried).
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar PathRules -prof gc</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class PathRules {
    private RuleSet rules;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        rules = load();
        check(first(), 2);
        check(membersRule(), 17);
        check(deepRule(), 32);
        if (!(unmatched() instanceof RuleDecision.Refused)) {
            throw new IllegalStateException("expected no match");
        }
    }

    /** @return the 50-rule file */
    public static RuleSet load() throws java.io.IOException {
        try (Reader r = new InputStreamReader(Objects.requireNonNull(
                PathRules.class.getResourceAsStream("/rules-50.yaml")), StandardCharsets.UTF_8)) {
            return RuleSet.load("rules-50.yaml", r);
        }
    }

    private void check(RuleDecision decision, int ruleNumber) {
        if (rules.rules().indexOf(decision.rule()) != ruleNumber - 1) {
            throw new IllegalStateException("matched rule " + (rules.rules().indexOf(decision.rule()) + 1) + " not "
                    + ruleNumber);
        }
    }

    @Benchmark
    public RuleDecision first() {
        return rules.match("GET", "/ready");
    }

    @Benchmark
    public RuleDecision membersRule() {
        return rules.match("GET", "/api/organizations/k8ms2q5vnd0r/members/u3x9abc1def2");
    }

    @Benchmark
    public RuleDecision deepRule() {
        return rules.match("GET", "/api/organizations/k8ms2q5vnd0r/projects/p7/deployments/d42/logs");
    }

    @Benchmark
    public RuleDecision unmatched() {
        return rules.match("GET", "/api/organizations/k8ms2q5vnd0r/unknown/thing/here");
    }
}
