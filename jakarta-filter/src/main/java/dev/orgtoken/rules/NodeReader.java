package dev.orgtoken.rules;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reads typed values out of a rules file's YAML nodes, resolving {@code ${NAME}} references, and
 * reports every problem at its place ({@code file:line:column}). It remembers each substituted
 * value so that no error message ever quotes one (see {@link #redact}).
 */
final class NodeReader {
    private final String source;
    private final Function<String, String> lookup;
    /** Every scalar with a substitution so far, resolved to as written: messages show these (see {@link #redact}). */
    private final Map<String, String> writtenByResolved = new LinkedHashMap<>();
    /** Every value substituted so far: none may appear in an error message. */
    private final List<Substitution.Insert> substituted = new ArrayList<>();
    /** The substituted values of each scalar: an error at that scalar may quote parts of them. */
    private final Map<Node, List<Substitution.Insert>> insertsByNode = new IdentityHashMap<>();
    /** The scalar as written, for each scalar with a substitution. */
    private final Map<Node, String> writtenByNode = new IdentityHashMap<>();


    NodeReader(String source, Function<String, String> lookup) {
        this.source = source;
        this.lookup = lookup;
    }

    /**
     * Runs a builder call; a validation failure is reported at the value of the key it names,
     * else at the value of {@code currentKey}, else at {@code container}.
     */
    void apply(Map<String, NodeTuple> keys, String currentKey, Node container, Runnable action) {
        try {
            action.run();
        } catch (IllegalArgumentException e) {
            Node at = null;
            if (e instanceof ConfigProblem && ((ConfigProblem) e).key() != null) {
                ConfigProblem p = (ConfigProblem) e;
                at = value(keys, p.key());
                if (at instanceof SequenceNode && p.itemIndex() >= 0
                        && p.itemIndex() < ((SequenceNode) at).getValue().size()) {
                    at = ((SequenceNode) at).getValue().get(p.itemIndex());
                }
            }
            if (at == null && currentKey != null) {
                at = value(keys, currentKey);
            }
            throw error(at != null ? at : container, e.getMessage(), e);
        }
    }

    /** The keys of a mapping, rejecting non-scalar, unknown and duplicate keys. */
    Map<String, NodeTuple> keys(MappingNode mapping, List<String> known) {
        Map<String, NodeTuple> out = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode) || isNull(keyNode)) {
                throw error(keyNode, "keys must be plain names, found " + describe(keyNode));
            }
            String key = ((ScalarNode) keyNode).getValue();
            if (!known.contains(key)) {
                String hint = Syntax.didYouMean(key, known);
                if (hint.isEmpty()) {
                    hint = " (expected one of: " + String.join(", ", known) + ")";
                }
                throw error(keyNode, "unknown key '" + key + "'" + hint);
            }
            NodeTuple previous = out.putIfAbsent(key, tuple);
            if (previous != null) {
                throw error(keyNode, "duplicate key '" + key + "' (first set on line " + line(previous.getKeyNode()) + ")");
            }
        }
        return out;
    }

    static Node value(Map<String, NodeTuple> keys, String key) {
        NodeTuple tuple = key == null ? null : keys.get(key);
        return tuple == null ? null : tuple.getValueNode();
    }

    String string(Node node, String key) {
        return resolved(node, key).text();
    }

    /** A scalar with its {@code ${...}} references resolved, remembering the substituted values. */
    Substitution.Resolved resolved(Node node, String key) {
        if (!(node instanceof ScalarNode)) {
            throw error(node, "'" + key + "' must be a single value, found " + describe(node));
        }
        if (isNull(node)) {
            throw error(node, "'" + key + "' has no value");
        }
        Substitution.Resolved r;
        try {
            r = Substitution.resolve(((ScalarNode) node).getValue(), lookup);
        } catch (IllegalArgumentException e) {
            throw error(node, e.getMessage());
        }
        if (!r.inserts().isEmpty()) {
            substituted.addAll(r.inserts());
            insertsByNode.put(node, r.inserts());
            writtenByNode.put(node, ((ScalarNode) node).getValue());
            writtenByResolved.put(r.text(), ((ScalarNode) node).getValue());
        }
        return r;
    }

    /** An audience whose substituted parts stay literal: a variable cannot add a {@code {placeholder}}. */
    String literalAudience(Node node) {
        Substitution.Resolved r = resolved(node, "audience");
        if (r.insertsContainAny("{}")) {
            throw error(node, "the value of " + r.references() + " must be literal text in 'audience': no '{' or '}'"
                    + " (a variable can never add a placeholder)");
        }
        return r.text();
    }

    List<String> stringList(Node node, String key) {
        if (isNull(node)) {
            throw error(node, "'" + key + "' has no value");
        }
        if (!(node instanceof SequenceNode)) {
            String example = node instanceof ScalarNode ? ((ScalarNode) node).getValue() : "...";
            throw error(node, "'" + key + "' must be a list, like " + key + ": [" + example + "], found "
                    + describe(node));
        }
        List<String> out = new ArrayList<>();
        for (Node item : ((SequenceNode) node).getValue()) {
            if (!(item instanceof ScalarNode)) {
                throw error(item, "each entry of '" + key + "' must be a single value, found " + describe(item));
            }
            if (isNull(item)) {
                throw error(item, "'" + key + "' has an empty entry");
            }
            out.add(string(item, key));
        }
        return out;
    }

    boolean bool(Node node, String key) {
        String s = string(node, key);
        if (s.equals("true")) {
            return true;
        }
        if (s.equals("false")) {
            return false;
        }
        throw error(node, "'" + key + "' must be true or false, found '" + s + "'");
    }

    int integer(Node node, String key) {
        String s = string(node, key);
        boolean digits = !s.isEmpty() && s.length() <= 9;
        for (int i = 0; digits && i < s.length(); i++) {
            digits = s.charAt(i) >= '0' && s.charAt(i) <= '9';
        }
        if (!digits) {
            throw error(node, "'" + key + "' must be a whole number, found '" + s + "'");
        }
        return Integer.parseInt(s);
    }

    Duration duration(Node node, String key) {
        String s = string(node, key);
        try {
            return Durations.parse(s);
        } catch (IllegalArgumentException e) {
            throw error(node, "'" + key + "': " + e.getMessage(), e);
        }
    }

    static boolean isNull(Node node) {
        return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
    }

    static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        if (isNull(node)) {
            return "nothing";
        }
        if (node instanceof ScalarNode) {
            return "'" + ((ScalarNode) node).getValue() + "'";
        }
        return "a " + node.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    static int line(Node node) {
        return node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    }

    RulesFileException error(Node node, String problem) {
        return error(node, problem, null);
    }

    RulesFileException error(Node node, String problem, Throwable cause) {
        List<Substitution.Insert> inserts = insertsByNode.getOrDefault(node, List.of());
        String redacted = redact(problem, inserts);
        String written = writtenByNode.get(node);
        if (written != null) {
            redacted = requoted(redacted, written, inserts);
        }
        return located(node.getStartMark(), redacted, cause);
    }

    /**
     * For an error about a scalar with a substitution: a quoted value in the message that shares
     * three characters in a row with a substituted value is shown as the scalar was written. A
     * builder may quote the value changed (trimmed, a trailing slash stripped, decoded), which no
     * search for the value itself finds; key names and our own fixed quotes ({@code '*'}) stay.
     */
    private static String requoted(String message, String written, List<Substitution.Insert> inserts) {
        StringBuilder out = new StringBuilder(message.length());
        int from = 0;
        int open;
        while ((open = message.indexOf('\'', from)) >= 0) {
            int close = message.indexOf('\'', open + 1);
            if (close < 0) {
                break;
            }
            String quoted = message.substring(open + 1, close);
            boolean value = !KEY_NAMES.contains(quoted) && !quoted.contains("${") && sharesThreeInARow(quoted, inserts);
            out.append(message, from, open + 1).append(value ? written : quoted).append('\'');
            from = close + 1;
        }
        return out.append(message, from, message.length()).toString();
    }

    private static boolean sharesThreeInARow(String quoted, List<Substitution.Insert> inserts) {
        for (Substitution.Insert insert : inserts) {
            String v = insert.value();   // shorter than three characters: no secret, and found as it is by redact()
            for (int i = 0; i + 3 <= v.length(); i++) {
                if (quoted.contains(v.substring(i, i + 3))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Every key a rules file has: messages quote these as names, never as values. */
    private static final Set<String> KEY_NAMES = Set.copyOf(java.util.stream.Stream.of(RulesFileLoader.TOP_KEYS,
            RulesFileLoader.RULE_KEYS, LogtoSection.KEYS).flatMap(List::stream).collect(java.util.stream.Collectors.toSet()));

    RulesFileException error(Optional<Mark> mark, String problem) {
        return error(mark, problem, null);
    }

    RulesFileException error(Optional<Mark> mark, String problem, Throwable cause) {
        return located(mark, redact(problem, List.of()), cause);
    }

    private RulesFileException located(Optional<Mark> mark, String redactedProblem, Throwable cause) {
        int line = mark.map(m -> m.getLine() + 1).orElse(0);
        int column = mark.map(m -> m.getColumn() + 1).orElse(0);
        // A builder's own exception repeats the message unredacted, and containers log causes: drop it.
        Throwable kept = cause instanceof IllegalArgumentException ? null : cause;
        return new RulesFileException(source, line, column, redactedProblem, kept);
    }

    /**
     * Keeps substituted values out of a message. Values come from the environment and may be
     * secrets, which containers would log with the message (outside review, finding 6); the
     * variable's name says as much to the person fixing the file. A quoted value is shown as
     * written ({@code https://${HOST}/api}). If a substituted value still shows, or a word of the
     * failing scalar's own values does (a hint that splits or upper-cases it), the whole message
     * gives way to one that names only the variables.
     *
     * @param atNode the values substituted in the scalar the error is about (empty if none)
     */
    private String redact(String problem, List<Substitution.Insert> atNode) {
        if (substituted.isEmpty()) {
            return problem;
        }
        List<Map.Entry<String, String>> longestFirst = new ArrayList<>(writtenByResolved.entrySet());
        longestFirst.sort((a, b) -> b.getKey().length() - a.getKey().length());
        String out = problem;
        for (Map.Entry<String, String> e : longestFirst) {
            if (!e.getKey().isEmpty()) {
                out = out.replace(e.getKey(), e.getValue());
            }
        }
        Set<String> shown = new LinkedHashSet<>();
        for (Substitution.Insert insert : substituted) {
            if (insert.value().length() >= 2 && out.contains(insert.value())) {
                shown.add(insert.reference());
            }
        }
        String lower = out.toLowerCase(Locale.ROOT);
        for (Substitution.Insert insert : atNode) {
            for (String word : insert.value().toLowerCase(Locale.ROOT).split("[\\s,\\[\\]'\"]+")) {
                if (word.length() >= 2 && lower.contains(word)) {
                    shown.add(insert.reference());
                }
            }
        }
        return shown.isEmpty() ? out
                : "this value is invalid; it comes from " + String.join(", ", shown) + ", whose value is not shown";
    }
}
