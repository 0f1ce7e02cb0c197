package dev.orgtoken.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Fuzz targets (Jazzer) for path patterns and rule matching.
 *
 * <ul>
 *   <li>{@link PathPattern#compile} on any text either compiles or throws
 *       {@link IllegalArgumentException}; a compiled pattern's {@code match}/{@code matches} never
 *       throw and agree with a plain split-based reference of the documented semantics, variables
 *       included.</li>
 *   <li>{@link RuleSet#match} with fuzzed patterns, methods and paths never throws and finds the
 *       same first rule as a plain scan (the rule set's literal ordering is an optimization only).</li>
 * </ul>
 * Seeds: {@code src/test/resources/dev/orgtoken/rules/PathMatchingFuzzTestInputs/<method>/}.
 */
class PathMatchingFuzzTest {

    /** Input: the pattern, a newline, then paths to match, one per line. */
    @FuzzTest(maxDuration = "10s")
    void compileAndMatch(byte[] input) {
        String[] lines = new String(input, java.nio.charset.StandardCharsets.UTF_8).split("\n", -1);
        String source = lines[0];
        PathPattern pattern;
        try {
            pattern = PathPattern.compile(source);
        } catch (IllegalArgumentException e) {
            return;
        }
        assertEquals(source, pattern.toString());
        for (int i = 1; i < lines.length; i++) {
            String path = lines[i];
            Optional<Map<String, String>> expected = referenceMatch(source, path);
            assertEquals(expected, pattern.match(path), () -> source + " vs " + path);
            assertEquals(expected.isPresent(), pattern.matches(path), () -> source + " vs " + path);
        }
    }

    /** Up to eight rules with fuzzed patterns and methods, then a fuzzed method and path. */
    @FuzzTest(maxDuration = "10s")
    void ruleSetMatch(FuzzedDataProvider data) {
        String[] methods = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"};
        List<PathRule> rules = new ArrayList<>();
        int count = data.consumeInt(1, 8);
        for (int i = 0; i < count; i++) {
            String source = data.consumeString(40);
            try {
                PathRule.Builder rule = PathRule.builder(source);
                if (data.consumeBoolean()) {
                    rule.methods(data.pickValue(methods));
                }
                rules.add(rule.build());
            } catch (IllegalArgumentException e) {
                // not a valid pattern: the rules file would refuse it
            }
        }
        if (rules.isEmpty()) {
            return;
        }
        RuleSet set = RuleSet.builder().logtoEndpoint("https://tenant.logto.app").defaultAudience("https://a")
                .rules(rules).build();
        String method = data.consumeBoolean() ? data.pickValue(methods) : data.consumeString(8);
        String path = data.consumeRemainingAsString();
        assertDecidesLikeAPlainScan(set, rules, method, path);
    }

    /**
     * The decision a plain scan gives: the first rule whose pattern and methods match decides; a
     * path some pattern covers with a method none lists is METHOD_NOT_ALLOWED; else (the rule sets
     * here use the default {@code unmatched: deny}) NO_MATCHING_RULE.
     *
     * @return whether a rule decided
     */
    static boolean assertDecidesLikeAPlainScan(RuleSet set, List<PathRule> rules, String method, String path) {
        PathRule expected = null;
        boolean covered = false;
        for (PathRule rule : rules) {
            if (rule.path().match(path).isPresent()) {
                covered = true;
                if (rule.appliesTo(method)) {
                    expected = rule;
                    break;
                }
            }
        }
        RuleDecision decision = set.match(method, path);
        if (expected != null) {
            assertSame(expected, decision.rule(), () -> method + " " + path + " in " + rules);
            assertFalse(decision instanceof RuleDecision.Refused, () -> method + " " + path + " in " + rules);
            return true;
        }
        RuleDecision.Refused refused = assertInstanceOf(RuleDecision.Refused.class, decision,
                () -> method + " " + path + " in " + rules);
        assertEquals(covered ? RuleDecision.Refused.Reason.METHOD_NOT_ALLOWED : RuleDecision.Refused.Reason.NO_MATCHING_RULE,
                refused.reason(), () -> method + " " + path + " in " + rules);
        return false;
    }

    /** The documented semantics, written the simple way. */
    static Optional<Map<String, String>> referenceMatch(String pattern, String path) {
        if (path != null && path.length() > 2 && path.endsWith("/") && !path.endsWith("//")) {
            path = path.substring(0, path.length() - 1);   // "/x/" matches as "/x"; "/x//" stays invalid
        }
        if (path.isEmpty() || path.charAt(0) != '/') {
            return Optional.empty();
        }
        List<String> segs = path.equals("/") ? List.of() : Arrays.asList(path.substring(1).split("/", -1));
        for (String s : segs) {
            if (s.isEmpty() || s.equals(".") || s.equals("..")) {
                return Optional.empty();
            }
        }
        List<String> pat = pattern.equals("/") ? List.of() : Arrays.asList(pattern.substring(1).split("/", -1));
        boolean trailing = !pat.isEmpty() && pat.get(pat.size() - 1).equals("**");
        List<String> fixed = trailing ? pat.subList(0, pat.size() - 1) : pat;
        if (trailing ? segs.size() < fixed.size() : segs.size() != fixed.size()) {
            return Optional.empty();
        }
        Map<String, String> vars = new HashMap<>();
        for (int i = 0; i < fixed.size(); i++) {
            String p = fixed.get(i);
            if (p.startsWith("{")) {
                vars.put(p.substring(1, p.length() - 1), segs.get(i));
            } else if (!p.equals("*") && !p.equals(segs.get(i))) {
                return Optional.empty();
            }
        }
        return Optional.of(vars);
    }
}
