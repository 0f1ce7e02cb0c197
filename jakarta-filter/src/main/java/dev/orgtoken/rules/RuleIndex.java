package dev.orgtoken.rules;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which rules can match a path, found without trying every rule: a rule set of fifty rules under
 * {@code /api/organizations/...} tried them one by one. Rules are grouped by the number of path
 * segments they accept, and inside each group by the literal at the one segment position that
 * splits the group best. A lookup reads the path's segment count and that one segment (in place,
 * no substring), and returns the candidates in file order, so "first match wins" is unchanged.
 * Every rule that can match is a candidate; {@code RuleSetMatchTest} and the fuzz tests compare
 * the result with a plain scan.
 */
final class RuleIndex {
    /** Below this many candidates a group is scanned as it is. */
    private static final int SMALL = 4;

    /** By segment count; the last group takes every count above the longest fixed pattern. */
    private final Group[] groups;

    /**
     * The candidates for one segment count.
     *
     * @param position the segment that picks the candidates, or -1 to use {@code others} always
     * @param table literal at {@code position} to candidates (the literal's rules and the others, in file order)
     * @param others the rules without a literal at {@code position}, in file order
     */
    private record Group(int position, LiteralTable table, int[] others) {}

    RuleIndex(CompiledRule[] rules) {
        int longest = 0;
        for (CompiledRule r : rules) {
            longest = Math.max(longest, r.pattern.fixedSegments());
        }
        groups = new Group[longest + 2];
        for (int count = 0; count < groups.length; count++) {
            List<Integer> candidates = new ArrayList<>();
            for (int i = 0; i < rules.length; i++) {
                if (rules[i].pattern.acceptsSegmentCount(count)) {
                    candidates.add(i);
                }
            }
            groups[count] = group(rules, candidates, count);
        }
    }

    /** Indexes of the rules that can match a path split by {@link PathPattern#segmentBounds}, in file order. */
    int[] candidates(String path, int[] bounds) {
        int segments = bounds.length - 1;
        Group g = groups[Math.min(segments, groups.length - 1)];
        if (g.position < 0) {
            return g.others;
        }
        int[] hit = g.table.get(path, bounds[g.position] + 1, bounds[g.position + 1]);
        return hit != null ? hit : g.others;
    }

    private static Group group(CompiledRule[] rules, List<Integer> candidates, int segments) {
        int[] all = toArray(candidates);
        if (candidates.size() <= SMALL || segments == 0) {
            return new Group(-1, null, all);
        }
        int best = -1;
        int bestWorst = candidates.size();
        for (int p = 0; p < segments; p++) {
            Map<String, Integer> sizes = new LinkedHashMap<>();
            int others = 0;
            for (int i : candidates) {
                String literal = rules[i].pattern.literalOrNull(p);
                if (literal == null) {
                    others++;
                } else {
                    sizes.merge(literal, 1, Integer::sum);
                }
            }
            int worst = others;
            for (int n : sizes.values()) {
                worst = Math.max(worst, n + others);
            }
            if (worst < bestWorst) {
                best = p;
                bestWorst = worst;
            }
        }
        if (best < 0) {
            return new Group(-1, null, all);
        }
        Map<String, List<Integer>> byLiteral = new LinkedHashMap<>();
        List<Integer> others = new ArrayList<>();
        for (int i : candidates) {
            String literal = rules[i].pattern.literalOrNull(best);
            if (literal == null) {
                others.add(i);
            } else {
                byLiteral.computeIfAbsent(literal, k -> new ArrayList<>()).add(i);
            }
        }
        LiteralTable table = new LiteralTable(byLiteral.size());
        for (Map.Entry<String, List<Integer>> e : byLiteral.entrySet()) {
            List<Integer> merged = new ArrayList<>(e.getValue());
            merged.addAll(others);
            merged.sort(null);   // file order
            table.put(e.getKey(), toArray(merged));
        }
        return new Group(best, table, toArray(others));
    }

    private static int[] toArray(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Literal segment text to rule indexes, looked up by a region of the path (no substring): open
     * addressing over {@link String#hashCode()}'s formula, filled once from the rules.
     */
    private static final class LiteralTable {
        private final String[] keys;
        private final int[][] values;
        private final int mask;

        LiteralTable(int entries) {
            int size = Integer.highestOneBit(Math.max(2, entries * 2) - 1) << 1;
            keys = new String[size];
            values = new int[size][];
            mask = size - 1;
        }

        void put(String key, int[] value) {
            int i = spread(key.hashCode()) & mask;
            while (keys[i] != null) {
                i = (i + 1) & mask;
            }
            keys[i] = key;
            values[i] = value;
        }

        int[] get(String path, int from, int to) {
            int h = 0;
            for (int i = from; i < to; i++) {
                h = 31 * h + path.charAt(i);
            }
            int length = to - from;
            for (int i = spread(h) & mask; keys[i] != null; i = (i + 1) & mask) {
                String key = keys[i];
                if (key.length() == length && path.regionMatches(from, key, 0, length)) {
                    return values[i];
                }
            }
            return null;
        }

        private static int spread(int h) {
            return h ^ (h >>> 16);
        }
    }
}
