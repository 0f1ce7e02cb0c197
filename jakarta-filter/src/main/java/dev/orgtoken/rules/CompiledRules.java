package dev.orgtoken.rules;

import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A rule set's rules compiled for matching: each rule's decision prepared once
 * ({@link CompiledRule}), an index that finds the few rules a path can match ({@link RuleIndex}),
 * and each rule's literal segments ordered so the most selective is compared first.
 * {@link RuleSet#match} is {@link #match}. Immutable and thread-safe.
 */
final class CompiledRules {
    private static final RuleDecision NOT_A_NORMALIZED_PATH =
            new RuleDecision.Refused(RuleDecision.Refused.Reason.NO_MATCHING_RULE, null, Set.of());

    private final CompiledRule[] compiled;
    private final RuleIndex index;
    /** What {@code unmatched} decides, as one shared instance. */
    private final RuleDecision unmatchedDecision;

    CompiledRules(List<PathRule> rules, String defaultAudience, Set<String> defaultClients,
            RuleDecision unmatchedDecision) {
        PathRule[] ruleArray = rules.toArray(new PathRule[0]);
        int[][] literalOrders = literalOrders(ruleArray);
        this.compiled = new CompiledRule[ruleArray.length];
        for (int r = 0; r < ruleArray.length; r++) {
            compiled[r] = new CompiledRule(ruleArray[r], literalOrders[r], defaultAudience, defaultClients);
        }
        this.index = new RuleIndex(compiled);
        this.unmatchedDecision = unmatchedDecision;
    }

    /**
     * Orders each rule's literal checks so that the (position, text) pairs shared by fewest rules
     * come first: with fifty rules under {@code /api/v1/...}, comparing the distinguishing segment
     * first rejects most rules after one comparison. The order never changes the result.
     */
    private static int[][] literalOrders(PathRule[] rules) {
        Map<String, Integer> counts = new HashMap<>();
        for (PathRule rule : rules) {
            PathPattern p = rule.path();
            for (int i : p.literalIndexes()) {
                counts.merge(i + "/" + p.literalAt(i), 1, Integer::sum);
            }
        }
        int[][] orders = new int[rules.length][];
        for (int r = 0; r < rules.length; r++) {
            PathPattern p = rules[r].path();
            orders[r] = Arrays.stream(p.literalIndexes()).boxed()
                    .sorted(Comparator.comparingInt((Integer i) -> counts.get(i + "/" + p.literalAt(i)))
                            .thenComparing(Comparator.reverseOrder()))
                    .mapToInt(Integer::intValue)
                    .toArray();
        }
        return orders;
    }

    /** See {@link RuleSet#match}. */
    RuleDecision match(String method, String normalizedPath) {
        int[] bounds = PathPattern.segmentBounds(normalizedPath);
        if (bounds == null) {
            return NOT_A_NORMALIZED_PATH;
        }
        boolean covered = false;
        for (int candidate : index.candidates(normalizedPath, bounds)) {
            CompiledRule rule = compiled[candidate];
            if (rule.pattern.matches(normalizedPath, bounds, rule.literalOrder)) {
                if (rule.rule.appliesTo(method)) {
                    return rule.decide(normalizedPath, bounds);
                }
                // A rule for another method on this path ("POST /members" before "GET /members"):
                // common, so the Allow list is only built when no rule applies (a JFR profile of
                // the warm HTTP benchmark found the set built on every request).
                covered = true;
            }
        }
        return covered ? methodNotAllowed(normalizedPath, bounds) : unmatchedDecision;
    }

    /** 405: the methods of every rule whose pattern covers the path, for the {@code Allow} header. */
    private RuleDecision methodNotAllowed(String normalizedPath, int[] bounds) {
        Set<String> coveringMethods = new LinkedHashSet<>();
        for (int candidate : index.candidates(normalizedPath, bounds)) {
            CompiledRule rule = compiled[candidate];
            if (rule.pattern.matches(normalizedPath, bounds, rule.literalOrder)) {
                coveringMethods.addAll(rule.rule.methods());   // a rule without methods applies to all
                if (rule.rule.methods().contains("GET")) {
                    coveringMethods.add("HEAD");
                }
            }
        }
        return new RuleDecision.Refused(RuleDecision.Refused.Reason.METHOD_NOT_ALLOWED, null, coveringMethods);
    }
}
