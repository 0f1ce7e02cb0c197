package dev.orgtoken.rules;

import dev.orgtoken.Requirements;
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

    static final List<String> TOP_KEYS = List.of("logto", "tenants", "audience", "clients", "unmatched",
            "cors-preflight", "realm", "query-token", "audit", "rules");
    static final List<String> RULE_KEYS = List.of("path", "methods", "public", "audience", "organization", "scopes",
            "roles", "actor", "clients", "subject", "tenants");

    private final String source;
    private final NodeReader reader;

    RulesFileLoader(String source, Function<String, String> lookup) {
        this.source = source;
        this.reader = new NodeReader(source, lookup);
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

    /** Reads at most {@link #MAX_SIZE} characters from {@code reader}, then loads them. */
    RuleSet load(Reader in) {
        String text;
        try {
            text = readLimited(in);
        } catch (IOException e) {
            throw new RulesFileException(source, 0, 0, "cannot read: " + e, e);
        }
        if (text == null) {
            throw new RulesFileException(source, 0, 0, "larger than 1 MiB; a rules file must be smaller");
        }
        return load(text);
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
            throw reader.error(mark, "invalid YAML: " + context + e.getProblem(), e);
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
                    throw reader.error(event.getStartMark(), "aliases ('*" + ((AliasEvent) event).getAlias().getValue()
                            + "') are not allowed in a rules file; repeat the value instead");
                case DocumentStart:
                    if (++documents > 1) {
                        throw reader.error(event.getStartMark(), "a rules file must contain a single YAML document");
                    }
                    break;
                case MappingStart:
                case SequenceStart:
                    if (++depth > MAX_DEPTH) {
                        throw reader.error(event.getStartMark(), "nesting is too deep (more than " + MAX_DEPTH + " levels)");
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
                throw reader.error(event.getStartMark(), "anchors ('&" + ((NodeEvent) event).getAnchor().get().getValue()
                        + "') are not allowed in a rules file; repeat the value instead");
            }
            Optional<String> tag = event instanceof ScalarEvent ? ((ScalarEvent) event).getTag()
                    : event instanceof CollectionStartEvent ? ((CollectionStartEvent) event).getTag()
                    : Optional.empty();
            if (tag.isPresent()) {
                throw reader.error(event.getStartMark(), "YAML tags ('" + tag.get()
                        + "') are not allowed in a rules file; quote the value if it should be text");
            }
        }
    }

    // ---------------------------------------------------------------- interpretation

    private RuleSet ruleSet(Node root) {
        if (!(root instanceof MappingNode top)) {
            throw reader.error(root, "the rules file must be a mapping with 'logto' and 'rules' keys, found "
                    + NodeReader.describe(root));
        }
        Map<String, NodeTuple> keys = reader.keys(top, TOP_KEYS);
        RuleSet.Builder builder = RuleSet.builder().source(source);

        builder.logtoSettings(LogtoSection.read(reader, NodeReader.value(keys, "logto"), NodeReader.value(keys, "tenants"),
                top));

        Node audience = NodeReader.value(keys, "audience");
        if (audience != null) {
            String text = reader.literalAudience(audience);
            reader.apply(keys, "audience", top, () -> builder.defaultAudience(text));
        }
        Node unmatched = NodeReader.value(keys, "unmatched");
        if (unmatched != null) {
            builder.unmatched(unmatchedPolicy(unmatched));
        }
        Node realm = NodeReader.value(keys, "realm");
        if (realm != null) {
            String text = reader.string(realm, "realm");
            reader.apply(keys, "realm", top, () -> builder.realm(text));
        }
        Node queryToken = NodeReader.value(keys, "query-token");
        if (queryToken != null) {
            builder.queryTokenAllowed(reader.bool(queryToken, "query-token"));
        }
        Node clients = NodeReader.value(keys, "clients");
        if (clients != null) {
            List<String> list = reader.stringList(clients, "clients");
            reader.apply(keys, "clients", top, () -> builder.defaultClients(list.toArray(String[]::new)));
        }
        Node preflight = NodeReader.value(keys, "cors-preflight");
        if (preflight != null) {
            builder.corsPreflight(choice(preflight, "cors-preflight", CorsPreflight.values(), CorsPreflight::fileValue));
        }
        Node audit = NodeReader.value(keys, "audit");
        if (audit != null) {
            List<String> names = reader.stringList(audit, "audit");
            List<Node> items = ((SequenceNode) audit).getValue();
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                Node item = items.get(i);
                reader.apply(Map.of(), null, item, () -> builder.auditListener(
                        new AuditListenerClass(name, source + ":" + NodeReader.line(item))));
            }
        }

        NodeTuple rulesTuple = keys.get("rules");
        if (rulesTuple == null) {
            throw reader.error(top, "missing 'rules' list; at least one rule is required");
        }
        Node rulesNode = rulesTuple.getValueNode();
        if (NodeReader.isNull(rulesNode)) {
            throw reader.error(rulesNode, "'rules' has no value; at least one rule is required");
        }
        if (!(rulesNode instanceof SequenceNode)) {
            throw reader.error(rulesNode, "'rules' must be a list of rules ('- path: ...'), found "
                    + NodeReader.describe(rulesNode));
        }
        List<Node> items = ((SequenceNode) rulesNode).getValue();
        if (items.isEmpty()) {
            throw reader.error(rulesNode, "the rule list is empty; at least one rule is required");
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
                Node at = NodeReader.value(ruleKeys.get(p.ruleIndex()), p.key());
                throw reader.error(at != null ? at : item, p.getMessage(), p);
            }
            Node at = p.key() == null ? null : NodeReader.value(keys, p.key());
            throw reader.error(at != null ? at : top, p.getMessage(), p);
        }
    }

    private PathRule pathRule(Node node, Map<String, NodeTuple> keys) {
        if (!(node instanceof MappingNode rule)) {
            throw reader.error(node, "each rule must be a mapping like '- path: /api/x', found " + NodeReader.describe(node));
        }
        keys.putAll(reader.keys(rule, RULE_KEYS));
        Node pathNode = NodeReader.value(keys, "path");
        if (pathNode == null) {
            throw reader.error(rule, "rule is missing 'path'");
        }
        Substitution.Resolved resolvedPath = reader.resolved(pathNode, "path");
        if (resolvedPath.insertsContainAny("*{}")) {
            throw reader.error(pathNode, "the value of " + resolvedPath.references() + " must be literal text in 'path':"
                    + " no '*', '{' or '}' (a variable can never add a wildcard or a path variable)");
        }
        PathRule.Builder[] b = new PathRule.Builder[1];
        reader.apply(keys, "path", rule, () -> b[0] = PathRule.builder(resolvedPath.text()));
        for (Map.Entry<String, NodeTuple> e : keys.entrySet()) {
            String key = e.getKey();
            Node v = e.getValue().getValueNode();
            switch (key) {
                case "path" -> { }
                case "methods" -> {
                    List<String> list = reader.stringList(v, key);
                    reader.apply(keys, key, rule, () -> b[0].methods(list));
                }
                case "public" -> b[0].publicAccess(reader.bool(v, key));
                case "audience" -> {
                    String s = reader.literalAudience(v);
                    reader.apply(keys, key, rule, () -> b[0].audience(s));
                }
                case "organization" -> {
                    Substitution.Resolved r = reader.resolved(v, key);
                    // A substituted organization is an id, never 'any' or '{variable}': ORG=any must
                    // not widen a rule to every organization (outside review, finding 7).
                    reader.apply(keys, key, rule, () -> {
                        if (r.inserts().isEmpty()) {
                            b[0].organization(r.text());
                        } else {
                            b[0].organizationId(r.text());
                        }
                    });
                }
                case "scopes" -> {
                    List<String> list = reader.stringList(v, key);
                    reader.apply(keys, key, rule, () -> b[0].scopes(list));
                }
                case "roles" -> {
                    List<String> list = reader.stringList(v, key);
                    reader.apply(keys, key, rule, () -> b[0].roles(list.toArray(String[]::new)));
                }
                case "tenants" -> {
                    List<String> list = reader.stringList(v, key);
                    reader.apply(keys, key, rule, () -> b[0].tenants(list.toArray(String[]::new)));
                }
                case "actor" -> b[0].actor(choice(v, key, Requirements.ActorPolicy.values(), RulesFileLoader::lowerCase));
                case "subject" -> b[0].subject(choice(v, key, Requirements.SubjectKind.values(), RulesFileLoader::lowerCase));
                case "clients" -> {
                    // 'any' lifts the file's default list; written, never substituted: ${X} with X=any is
                    // the client whose id is "any" (a substituted value never widens a rule).
                    if (v instanceof ScalarNode && !NodeReader.isNull(v)) {
                        Substitution.Resolved r = reader.resolved(v, key);
                        if (r.inserts().isEmpty() && r.text().equals("any")) {
                            b[0].anyClient();
                        } else if (r.inserts().isEmpty()) {
                            throw reader.error(v, "'clients' must be a list of client ids, like clients: [" + r.text()
                                    + "], or 'any'");
                        } else {
                            reader.apply(keys, key, rule, () -> b[0].clients(r.text()));
                        }
                    } else {
                        List<String> list = reader.stringList(v, key);
                        reader.apply(keys, key, rule, () -> b[0].clients(list.toArray(String[]::new)));
                    }
                }
                default -> throw new AssertionError(key);
            }
        }
        b[0].line(NodeReader.line(rule));
        PathRule[] result = new PathRule[1];
        reader.apply(keys, null, rule, () -> result[0] = b[0].build());
        return result[0];
    }

    private static String lowerCase(Enum<?> value) {
        return value.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** One of a closed set of lower-case words, with a hint for a near miss. */
    private <T> T choice(Node node, String key, T[] values, Function<T, String> spelling) {
        String s = reader.string(node, key);
        List<String> names = new ArrayList<>();
        for (T value : values) {
            if (spelling.apply(value).equals(s)) {
                return value;
            }
            names.add(spelling.apply(value));
        }
        throw reader.error(node, "unknown value '" + s + "' for '" + key + "' (expected " + String.join(", ", names) + ")"
                + Syntax.didYouMean(s, names));
    }

    private UnmatchedPolicy unmatchedPolicy(Node node) {
        String s = reader.string(node, "unmatched");
        List<String> names = new ArrayList<>();
        for (UnmatchedPolicy p : UnmatchedPolicy.values()) {
            if (p.fileValue().equals(s)) {
                return p;
            }
            names.add(p.fileValue());
        }
        throw reader.error(node, "unknown value '" + s + "' for 'unmatched' (expected deny, authenticated or public)"
                + Syntax.didYouMean(s, names));
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
