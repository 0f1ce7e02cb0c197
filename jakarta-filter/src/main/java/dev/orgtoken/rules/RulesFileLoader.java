package dev.orgtoken.rules;

import java.io.IOException;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.CollectionStartEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.ReaderException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Reads a rules file into a {@link RuleSet}. YAML is composed into nodes (never constructed into
 * objects), so every value keeps its line; the values are then fed to the public builders and
 * their errors are reported at the offending key.
 */
final class RulesFileLoader {
    /** Largest rules file accepted: 1 MiB (bytes for a file, characters for a reader). */
    static final int MAX_SIZE = 1 << 20;
    /** Deepest nesting of collections; a valid file needs 4. */
    static final int MAX_DEPTH = 16;

    static final Function<String, String> SYSTEM_LOOKUP = name -> {
        String value = System.getProperty(name);
        return value != null ? value : System.getenv(name);
    };

    static final List<String> TOP_KEYS = List.of("logto", "audience", "unmatched", "realm", "query-token", "rules");
    static final List<String> LOGTO_KEYS = List.of("endpoint", "issuers", "jwks-uri", "clock-skew", "algorithms",
            "require-access-token-type", "token-cache-size", "jwks-ttl", "jwks-refresh-cooldown", "jwks-stale-for",
            "jwks-connect-timeout", "jwks-request-timeout", "max-token-length");
    static final List<String> RULE_KEYS = List.of("path", "methods", "public", "audience", "organization", "scopes");

    private final String source;
    private final Function<String, String> lookup;
    /** Every scalar with a substitution so far, resolved to as written: messages show these (see {@link #redact}). */
    private final Map<String, String> writtenByResolved = new LinkedHashMap<>();
    /** Every value substituted so far: none may appear in an error message. */
    private final List<Substitution.Insert> substituted = new ArrayList<>();
    /** The substituted values of each scalar: an error at that scalar may quote parts of them. */
    private final Map<Node, List<Substitution.Insert>> insertsByNode = new IdentityHashMap<>();

    RulesFileLoader(String source, Function<String, String> lookup) {
        this.source = source;
        this.lookup = lookup;
    }

    /** Reads at most {@link #MAX_SIZE} characters; null when there are more. */
    static String readLimited(Reader reader) throws IOException {
        StringBuilder out = new StringBuilder();
        char[] buffer = new char[8192];
        int n;
        while ((n = reader.read(buffer)) >= 0) {
            out.append(buffer, 0, n);
            if (out.length() > MAX_SIZE) {
                return null;
            }
        }
        return out.toString();
    }

    RuleSet load(Path file) {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_SIZE) {
                throw new RulesFileException(source, 0, 0, "larger than 1 MiB; a rules file must be smaller");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new RulesFileException(source, 0, 0, "cannot read: " + e, e);
        }
        if (bytes.length > MAX_SIZE) {
            throw new RulesFileException(source, 0, 0, "larger than 1 MiB; a rules file must be smaller");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new RulesFileException(source, 0, 0, "not valid UTF-8", e);
        }
        return load(text);
    }

    RuleSet load(String text) {
        if (text.length() > MAX_SIZE) {
            throw new RulesFileException(source, 0, 0, "larger than 1 MiB; a rules file must be smaller");
        }
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            text = text.substring(1);
        }
        // Duplicate keys are only checked by snakeyaml's constructor, which Compose does not run;
        // keys() checks them. Aliases and anchors are refused by checkEvents() before composing.
        LoadSettings settings = LoadSettings.builder()
                .setLabel(source)
                .setSchema(new CoreSchema())
                .setAllowDuplicateKeys(false)
                .setAllowRecursiveKeys(false)
                .setMaxAliasesForCollections(0)
                .setCodePointLimit(MAX_SIZE + 1)
                .setParseComments(false)
                .build();
        Node root;
        try {
            checkEvents(new Parse(settings).parseString(text));
            root = new Compose(settings).composeString(text).orElse(null);
        } catch (MarkedYamlEngineException e) {
            Optional<Mark> mark = e.getProblemMark().isPresent() ? e.getProblemMark() : e.getContextMark();
            String context = e.getContext() == null ? "" : e.getContext() + ": ";
            throw error(mark, "invalid YAML: " + context + e.getProblem(), e);
        } catch (ReaderException e) {
            int[] lineColumn = lineColumnOfCodePoint(text, e.getPosition());
            throw new RulesFileException(source, lineColumn[0], lineColumn[1], "invalid YAML: character "
                    + String.format("U+%04X", e.getCodePoint()) + " is not allowed", e);
        } catch (YamlEngineException e) {
            throw new RulesFileException(source, 0, 0, "invalid YAML: " + e.getMessage(), e);
        } catch (RulesFileException e) {
            throw e;   // from checkEvents: already placed and worded
        } catch (RuntimeException e) {
            // SnakeYAML Engine itself fails on some malformed text (2.8: a double-quoted scalar
            // ending in a truncated backslash-u escape throws NumberFormatException; found by
            // RulesFileFuzzTest). Still a rules file that cannot be read, not a crash.
            throw new RulesFileException(source, 0, 0, "invalid YAML: the parser failed ("
                    + e.getClass().getSimpleName() + ")", e);
        }
        if (root == null) {
            throw new RulesFileException(source, 1, 1, "the rules file is empty; it needs 'logto' and 'rules'");
        }
        return ruleSet(root);
    }

    /** Rejects anchors, aliases, explicit tags, extra documents and deep nesting, before composing. */
    private void checkEvents(Iterable<Event> events) {
        int depth = 0;
        int documents = 0;
        for (Event event : events) {
            switch (event.getEventId()) {
                case Alias:
                    throw error(event.getStartMark(), "aliases ('*" + ((AliasEvent) event).getAlias().getValue()
                            + "') are not allowed in a rules file; repeat the value instead");
                case DocumentStart:
                    if (++documents > 1) {
                        throw error(event.getStartMark(), "a rules file must contain a single YAML document");
                    }
                    break;
                case MappingStart:
                case SequenceStart:
                    if (++depth > MAX_DEPTH) {
                        throw error(event.getStartMark(), "nesting is too deep (more than " + MAX_DEPTH + " levels)");
                    }
                    break;
                case MappingEnd:
                case SequenceEnd:
                    depth--;
                    break;
                default:
                    break;
            }
            if (event instanceof NodeEvent && ((NodeEvent) event).getAnchor().isPresent()) {
                throw error(event.getStartMark(), "anchors ('&" + ((NodeEvent) event).getAnchor().get().getValue()
                        + "') are not allowed in a rules file; repeat the value instead");
            }
            Optional<String> tag = event instanceof ScalarEvent ? ((ScalarEvent) event).getTag()
                    : event instanceof CollectionStartEvent ? ((CollectionStartEvent) event).getTag()
                    : Optional.empty();
            if (tag.isPresent()) {
                throw error(event.getStartMark(), "YAML tags ('" + tag.get()
                        + "') are not allowed in a rules file; quote the value if it should be text");
            }
        }
    }

    // ---------------------------------------------------------------- interpretation

    private RuleSet ruleSet(Node root) {
        if (!(root instanceof MappingNode)) {
            throw error(root, "the rules file must be a mapping with 'logto' and 'rules' keys, found " + describe(root));
        }
        MappingNode top = (MappingNode) root;
        Map<String, NodeTuple> keys = keys(top, TOP_KEYS);
        RuleSet.Builder builder = RuleSet.builder();

        NodeTuple logto = keys.get("logto");
        if (logto == null) {
            throw error(top, "missing 'logto' section ('endpoint', or 'issuers' and 'jwks-uri')");
        }
        builder.logto(verifierSettings(logto.getValueNode()));

        Node audience = value(keys, "audience");
        if (audience != null) {
            String text = literalAudience(audience);
            apply(keys, "audience", top, () -> builder.defaultAudience(text));
        }
        Node unmatched = value(keys, "unmatched");
        if (unmatched != null) {
            builder.unmatched(unmatchedPolicy(unmatched));
        }
        Node realm = value(keys, "realm");
        if (realm != null) {
            String text = string(realm, "realm");
            apply(keys, "realm", top, () -> builder.realm(text));
        }
        Node queryToken = value(keys, "query-token");
        if (queryToken != null) {
            builder.queryTokenAllowed(bool(queryToken, "query-token"));
        }

        NodeTuple rulesTuple = keys.get("rules");
        if (rulesTuple == null) {
            throw error(top, "missing 'rules' list; at least one rule is required");
        }
        Node rulesNode = rulesTuple.getValueNode();
        if (isNull(rulesNode)) {
            throw error(rulesNode, "'rules' has no value; at least one rule is required");
        }
        if (!(rulesNode instanceof SequenceNode)) {
            throw error(rulesNode, "'rules' must be a list of rules ('- path: ...'), found " + describe(rulesNode));
        }
        List<Node> items = ((SequenceNode) rulesNode).getValue();
        if (items.isEmpty()) {
            throw error(rulesNode, "the rule list is empty; at least one rule is required");
        }
        List<Map<String, NodeTuple>> ruleKeys = new ArrayList<>();
        for (Node item : items) {
            Map<String, NodeTuple> k = new LinkedHashMap<>();
            builder.rule(pathRule(item, k));
            ruleKeys.add(k);
        }

        try {
            return builder.build();
        } catch (ConfigProblem p) {
            if (p.ruleIndex() >= 0) {
                Node item = items.get(p.ruleIndex());
                Node at = value(ruleKeys.get(p.ruleIndex()), p.key());
                throw error(at != null ? at : item, p.getMessage(), p);
            }
            Node at = p.key() == null ? null : value(keys, p.key());
            throw error(at != null ? at : top, p.getMessage(), p);
        }
    }

    private VerifierSettings verifierSettings(Node node) {
        if (!(node instanceof MappingNode)) {
            throw error(node, "'logto' must be a mapping with 'endpoint', or 'issuers' and 'jwks-uri', found "
                    + describe(node));
        }
        MappingNode section = (MappingNode) node;
        Map<String, NodeTuple> keys = keys(section, LOGTO_KEYS);
        VerifierSettings.Builder b = VerifierSettings.builder();
        for (Map.Entry<String, NodeTuple> e : keys.entrySet()) {
            String key = e.getKey();
            Node v = e.getValue().getValueNode();
            switch (key) {
                case "endpoint": {
                    String s = string(v, key);
                    apply(keys, key, section, () -> b.endpoint(s));
                    break;
                }
                case "issuers": {
                    List<String> list = stringList(v, key);
                    apply(keys, key, section, () -> b.issuers(list));
                    break;
                }
                case "jwks-uri": {
                    String s = string(v, key);
                    apply(keys, key, section, () -> b.jwksUri(s));
                    break;
                }
                case "clock-skew":
                    b.clockSkew(duration(v, key));
                    break;
                case "algorithms": {
                    List<String> list = stringList(v, key);
                    apply(keys, key, section, () -> b.algorithms(list));
                    break;
                }
                case "require-access-token-type":
                    b.requireAccessTokenType(bool(v, key));
                    break;
                case "token-cache-size":
                    b.tokenCacheSize(integer(v, key));
                    break;
                case "jwks-ttl":
                    b.jwksTtl(duration(v, key));
                    break;
                case "jwks-refresh-cooldown":
                    b.jwksRefreshCooldown(duration(v, key));
                    break;
                case "jwks-stale-for":
                    b.jwksStaleFor(duration(v, key));
                    break;
                case "jwks-connect-timeout":
                    b.jwksConnectTimeout(duration(v, key));
                    break;
                case "jwks-request-timeout":
                    b.jwksRequestTimeout(duration(v, key));
                    break;
                case "max-token-length":
                    b.maxTokenLength(integer(v, key));
                    break;
                default:
                    throw new AssertionError(key);
            }
        }
        VerifierSettings[] result = new VerifierSettings[1];
        apply(keys, null, section, () -> result[0] = b.build());
        return result[0];
    }

    private PathRule pathRule(Node node, Map<String, NodeTuple> keys) {
        if (!(node instanceof MappingNode)) {
            throw error(node, "each rule must be a mapping like '- path: /api/x', found " + describe(node));
        }
        MappingNode rule = (MappingNode) node;
        keys.putAll(keys(rule, RULE_KEYS));
        Node pathNode = value(keys, "path");
        if (pathNode == null) {
            throw error(rule, "rule is missing 'path'");
        }
        Substitution.Resolved resolvedPath = resolved(pathNode, "path");
        if (resolvedPath.insertsContainAny("*{}")) {
            throw error(pathNode, "the value of " + resolvedPath.references() + " must be literal text in 'path': no '*',"
                    + " '{' or '}' (a variable can never add a wildcard or a path variable)");
        }
        String path = resolvedPath.text();
        PathRule.Builder[] b = new PathRule.Builder[1];
        apply(keys, "path", rule, () -> b[0] = PathRule.builder(path));
        for (Map.Entry<String, NodeTuple> e : keys.entrySet()) {
            String key = e.getKey();
            Node v = e.getValue().getValueNode();
            switch (key) {
                case "path":
                    break;
                case "methods": {
                    List<String> list = stringList(v, key);
                    apply(keys, key, rule, () -> b[0].methods(list));
                    break;
                }
                case "public":
                    b[0].publicAccess(bool(v, key));
                    break;
                case "audience": {
                    String s = literalAudience(v);
                    apply(keys, key, rule, () -> b[0].audience(s));
                    break;
                }
                case "organization": {
                    Substitution.Resolved r = resolved(v, key);
                    // A substituted organization is an id, never 'any' or '{variable}': ORG=any must
                    // not widen a rule to every organization (outside review, finding 7).
                    apply(keys, key, rule, () -> {
                        if (r.inserts().isEmpty()) {
                            b[0].organization(r.text());
                        } else {
                            b[0].organization(literalOrganization(r));
                        }
                    });
                    break;
                }
                case "scopes": {
                    List<String> list = stringList(v, key);
                    apply(keys, key, rule, () -> b[0].scopes(list));
                    break;
                }
                default:
                    throw new AssertionError(key);
            }
        }
        b[0].line(line(rule));
        PathRule[] result = new PathRule[1];
        apply(keys, null, rule, () -> result[0] = b[0].build());
        return result[0];
    }

    private UnmatchedPolicy unmatchedPolicy(Node node) {
        String s = string(node, "unmatched");
        List<String> names = new ArrayList<>();
        for (UnmatchedPolicy p : UnmatchedPolicy.values()) {
            if (p.fileValue().equals(s)) {
                return p;
            }
            names.add(p.fileValue());
        }
        throw error(node, "unknown value '" + s + "' for 'unmatched' (expected deny, authenticated or public)"
                + Syntax.didYouMean(s, names));
    }

    /**
     * Runs a builder call; a validation failure is reported at the value of the key it names,
     * else at the value of {@code currentKey}, else at {@code container}.
     */
    private void apply(Map<String, NodeTuple> keys, String currentKey, Node container, Runnable action) {
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

    // ---------------------------------------------------------------- typed values

    /** The keys of a mapping, rejecting non-scalar, unknown and duplicate keys. */
    private Map<String, NodeTuple> keys(MappingNode mapping, List<String> known) {
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

    private static Node value(Map<String, NodeTuple> keys, String key) {
        NodeTuple tuple = key == null ? null : keys.get(key);
        return tuple == null ? null : tuple.getValueNode();
    }

    private String string(Node node, String key) {
        return resolved(node, key).text();
    }

    /** A scalar with its {@code ${...}} references resolved, remembering the substituted values. */
    private Substitution.Resolved resolved(Node node, String key) {
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
            writtenByResolved.put(r.text(), ((ScalarNode) node).getValue());
        }
        return r;
    }

    /** An audience whose substituted parts stay literal: a variable cannot add a {@code {placeholder}}. */
    private String literalAudience(Node node) {
        Substitution.Resolved r = resolved(node, "audience");
        if (r.insertsContainAny("{}")) {
            throw error(node, "the value of " + r.references() + " must be literal text in 'audience': no '{' or '}'"
                    + " (a variable can never add a placeholder)");
        }
        return r.text();
    }

    private static OrganizationRule literalOrganization(Substitution.Resolved r) {
        try {
            return new OrganizationRule.Literal(r.text());
        } catch (IllegalArgumentException e) {
            throw new ConfigProblem("organization", "the value of " + r.references()
                    + " is not a valid organization id (a substituted organization is always a literal id:"
                    + " no whitespace, control characters or braces)");
        }
    }

    private List<String> stringList(Node node, String key) {
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

    private boolean bool(Node node, String key) {
        String s = string(node, key);
        if (s.equals("true")) {
            return true;
        }
        if (s.equals("false")) {
            return false;
        }
        throw error(node, "'" + key + "' must be true or false, found '" + s + "'");
    }

    private int integer(Node node, String key) {
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

    private Duration duration(Node node, String key) {
        String s = string(node, key);
        try {
            return Durations.parse(s);
        } catch (IllegalArgumentException e) {
            throw error(node, "'" + key + "': " + e.getMessage(), e);
        }
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
    }

    private static String describe(Node node) {
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

    // ---------------------------------------------------------------- locations

    private static int line(Node node) {
        return node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    }

    private RulesFileException error(Node node, String problem) {
        return error(node, problem, null);
    }

    private RulesFileException error(Node node, String problem, Throwable cause) {
        return located(node.getStartMark(), redact(problem, insertsByNode.getOrDefault(node, List.of())), cause);
    }

    private RulesFileException error(Optional<Mark> mark, String problem) {
        return error(mark, problem, null);
    }

    private RulesFileException error(Optional<Mark> mark, String problem, Throwable cause) {
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

    /** 1-based line and column of the code point at {@code position}. */
    static int[] lineColumnOfCodePoint(String text, int position) {
        int line = 1;
        int column = 1;
        int index = 0;
        for (int cp = 0; cp < position && index < text.length(); cp++) {
            int c = text.codePointAt(index);
            index += Character.charCount(c);
            if (c == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new int[] {line, column};
    }
}
