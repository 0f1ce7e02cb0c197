package dev.orgtoken.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random inputs: the matcher agrees with a simple split-based reference, and malformed
 * input only ever produces the documented exceptions.
 */
class FuzzTest {
    private static final String PATTERN_ALPHABET = "/{}*ab.x_%;\\?#1";
    private static final String PATH_ALPHABET = "/ab.x1";

    private static String random(Random r, String alphabet, int maxLength) {
        int n = r.nextInt(maxLength + 1);
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    /** A pattern built from valid pieces, so most of them compile. */
    private static String randomValidishPattern(Random r) {
        String[] pieces = {"a", "b", "x", "{v1}", "{v2}", "*", "ab", "a.b"};
        int n = r.nextInt(5);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append('/').append(pieces[r.nextInt(pieces.length)]);
        }
        if (r.nextInt(3) == 0) {
            s.append("/**");
        }
        return s.length() == 0 ? "/" : s.toString();
    }

    private static boolean referenceValidPath(String path) {
        if (path.isEmpty() || path.charAt(0) != '/') {
            return false;
        }
        if (path.equals("/")) {
            return true;
        }
        for (String segment : path.substring(1).split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    private static Optional<Map<String, String>> referenceMatch(String pattern, String path) {
        if (path != null && path.length() > 2 && path.endsWith("/") && !path.endsWith("//")) {
            path = path.substring(0, path.length() - 1);   // "/x/" matches as "/x"; "/x//" stays invalid
        }
        if (!referenceValidPath(path)) {
            return Optional.empty();
        }
        List<String> pat = pattern.equals("/") ? List.of() : Arrays.asList(pattern.substring(1).split("/", -1));
        List<String> segs = path.equals("/") ? List.of() : Arrays.asList(path.substring(1).split("/", -1));
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

    @Test
    void matcherAgreesWithReference() {
        Random r = new Random(20240917);
        int compiled = 0;
        int matched = 0;
        for (int i = 0; i < 3000; i++) {
            String source = randomValidishPattern(r);
            PathPattern pattern;
            try {
                pattern = PathPattern.compile(source);
            } catch (IllegalArgumentException e) {
                continue; // e.g. a variable captured twice
            }
            compiled++;
            for (int j = 0; j < 30; j++) {
                String path = r.nextBoolean() ? random(r, PATH_ALPHABET, 12) : randomValidishPattern(r)
                        .replace("{v1}", "a").replace("{v2}", "x").replace("/**", "/b/a").replace("*", "b");
                Optional<Map<String, String>> expected = referenceMatch(source, path);
                assertEquals(expected, pattern.match(path), source + " vs " + path);
                assertEquals(expected.isPresent(), pattern.matches(path), source + " vs " + path);
                if (expected.isPresent()) {
                    matched++;
                }
            }
        }
        assertTrue(compiled > 1000 && matched > 1000, "fuzz covered too little: " + compiled + "/" + matched);
    }

    @Test
    void ruleSetFindsTheSameFirstMatchAsAPlainScan() {
        Random r = new Random(99);
        String[] methods = {"GET", "HEAD", "POST", "DELETE"};
        int hits = 0;
        for (int round = 0; round < 300; round++) {
            RuleSet.Builder builder = RuleSet.builder().logtoEndpoint("https://t.example").defaultAudience("https://a");
            List<PathRule> rules = new ArrayList<>();
            while (rules.size() < 1 + r.nextInt(20)) {
                try {
                    PathRule.Builder rule = PathRule.builder(randomValidishPattern(r));
                    if (r.nextBoolean()) {
                        rule.methods(methods[r.nextInt(methods.length)]);
                    }
                    rules.add(rule.build());
                } catch (IllegalArgumentException e) {
                    // duplicate variable; try another
                }
            }
            RuleSet set = builder.rules(rules).build();
            for (int j = 0; j < 50; j++) {
                String path = randomValidishPattern(r).replace("{v1}", "a").replace("{v2}", "b")
                        .replace("/**", "/x/a").replace("*", "ab");
                String method = methods[r.nextInt(methods.length)];
                if (PathMatchingFuzzTest.assertDecidesLikeAPlainScan(set, rules, method, path)) {
                    hits++;
                }
            }
        }
        assertTrue(hits > 2000, "too few matches: " + hits);
    }

    @Test
    void compileOnlyThrowsIllegalArgument() {
        Random r = new Random(42);
        for (int i = 0; i < 50_000; i++) {
            String source = random(r, PATTERN_ALPHABET, 16);
            try {
                PathPattern p = PathPattern.compile(source);
                assertEquals(source, p.toString());
                p.matches(random(r, PATH_ALPHABET, 12));
            } catch (IllegalArgumentException expected) {
                // fine
            } catch (RuntimeException e) {
                fail("compile('" + source + "') threw " + e, e);
            }
        }
    }

    @Test
    void mutatedRulesFilesOnlyThrowRulesFileException() throws IOException {
        String example;
        try (InputStream in = FuzzTest.class.getResourceAsStream("/rules/example.yaml")) {
            example = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String insertions = " \n\t:-[]{}&*!#'\"|>%@`,?${}\u0000\u00e9/";
        Random r = new Random(7);
        Map<String, String> vars = Map.of("LOGTO_ENDPOINT", "https://tenant.logto.app");
        int loaded = 0;
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            StringBuilder text = new StringBuilder(example);
            int edits = 1 + r.nextInt(3);
            for (int e = 0; e < edits; e++) {
                int at = r.nextInt(text.length());
                switch (r.nextInt(3)) {
                    case 0:
                        text.deleteCharAt(at);
                        break;
                    case 1:
                        text.insert(at, insertions.charAt(r.nextInt(insertions.length())));
                        break;
                    default:
                        text.setCharAt(at, insertions.charAt(r.nextInt(insertions.length())));
                        break;
                }
            }
            try {
                RuleSet.load("fuzz.yaml", new StringReader(text.toString()), vars::get);
                loaded++;
            } catch (RulesFileException e) {
                if (e.line() < 0 || e.problem().isEmpty()) {
                    problems.add(e.getMessage());
                }
            } catch (RuntimeException | StackOverflowError e) {
                fail("unexpected " + e + " for:\n" + text, e);
            }
        }
        assertTrue(problems.isEmpty(), problems.toString());
        assertTrue(loaded > 0 && loaded < 3000, "mutations should sometimes survive and sometimes fail: " + loaded);
    }
}
