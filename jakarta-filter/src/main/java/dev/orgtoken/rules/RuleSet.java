package dev.orgtoken.rules;

import dev.orgtoken.LogtoEndpoint;
import dev.orgtoken.OrganizationTokenVerifier;
import dev.orgtoken.Requirements;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ordered list of {@link PathRule}s with the settings of a rules file: Logto verifier
 * settings, default audience, unmatched policy, realm and whether query tokens are accepted.
 *
 * <p>{@link #match(String, String)} finds the first rule, in file order, whose path pattern and
 * method both match. The path is split once per call into segment offsets; each rule then checks
 * the segment count and its literal segments in place (the most selective literal first), and the
 * variables map is built only for the rule that matches. Instances are immutable
 * and thread-safe.
 *
 * <p>A rules file looks like this:
 *
 * <pre>{@code
 * logto:
 *   endpoint: ${LOGTO_ENDPOINT}
 * audience: https://api.example.com/org
 * unmatched: deny
 * rules:
 *   - path: /health
 *     public: true
 *   - path: /api/organizations/{organizationId}/members/**
 *     methods: [GET]
 *     organization: "{organizationId}"
 *     scopes: [read:members]
 * }</pre>
 *
 * <p>{@code ${NAME}} and {@code ${NAME:-default}} in scalar values are replaced from a variable
 * lookup (by default system properties, then environment variables) after YAML parsing, so a
 * substituted value can never change the structure of the file.
 */
public final class RuleSet {
    private static final Logger LOG = LoggerFactory.getLogger(RuleSet.class);

    /** The realm used when none is configured. */
    public static final String DEFAULT_REALM = "api";

    /** The {@code logto} settings, replayed onto a fresh verifier builder; null when there are none. */
    private final List<Consumer<OrganizationTokenVerifier.Builder>> logto;
    private final String defaultAudience;
    private final UnmatchedPolicy unmatched;
    /** What {@link #unmatched} decides, as one shared instance. */
    private final RuleDecision unmatchedDecision;
    private final String realm;
    private final boolean queryTokenAllowed;
    private final CompiledRule[] compiled;
    private final RuleIndex index;
    private final List<PathRule> rules;

    private static final RuleDecision NOT_A_NORMALIZED_PATH =
            new RuleDecision.Refused(RuleDecision.Refused.Reason.NO_MATCHING_RULE, null, Set.of());

    private RuleSet(Builder b) {
        this.logto = b.logto == null ? null : List.copyOf(b.logto);
        this.defaultAudience = b.defaultAudience;
        this.unmatched = b.unmatched;
        this.unmatchedDecision = switch (b.unmatched) {
            case DENY -> new RuleDecision.Refused(RuleDecision.Refused.Reason.NO_MATCHING_RULE, null, Set.of());
            case AUTHENTICATED -> new RuleDecision.Protected(null, Requirements.audience(b.defaultAudience));
            case PUBLIC -> new RuleDecision.Public(null);
        };
        this.realm = b.realm;
        this.queryTokenAllowed = b.queryTokenAllowed;
        PathRule[] ruleArray = b.rules.toArray(new PathRule[0]);
        this.rules = List.of(ruleArray);
        int[][] literalOrders = literalOrders(ruleArray);
        this.compiled = new CompiledRule[ruleArray.length];
        for (int r = 0; r < ruleArray.length; r++) {
            compiled[r] = new CompiledRule(ruleArray[r], literalOrders[r], b.defaultAudience);
        }
        this.index = new RuleIndex(compiled);
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

    /**
     * Loads a rules file, resolving {@code ${NAME}} from system properties, then environment
     * variables.
     *
     * @param file the rules file (UTF-8, at most 1 MiB)
     * @return the rule set
     * @throws RulesFileException if the file cannot be read or is invalid
     */
    public static RuleSet load(Path file) {
        return load(file, RulesFileLoader.SYSTEM_LOOKUP);
    }

    /**
     * Loads a rules file, resolving {@code ${NAME}} with {@code variables}.
     *
     * @param file the rules file (UTF-8, at most 1 MiB)
     * @param variables returns the value of a variable, or null when it is not set
     * @return the rule set
     * @throws RulesFileException if the file cannot be read or is invalid
     */
    public static RuleSet load(Path file, Function<String, String> variables) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(variables, "variables");
        return new RulesFileLoader(file.toString(), variables).load(file);
    }

    /**
     * Loads rules from a reader, resolving {@code ${NAME}} from system properties, then
     * environment variables. The reader is read to the end but not closed.
     *
     * @param sourceName the name used in error messages, e.g. {@code rules.yaml}
     * @param reader the rules text (at most 1 Mi characters)
     * @return the rule set
     * @throws RulesFileException if the text cannot be read or is invalid
     */
    public static RuleSet load(String sourceName, Reader reader) {
        return load(sourceName, reader, RulesFileLoader.SYSTEM_LOOKUP);
    }

    /**
     * Loads rules from a reader, resolving {@code ${NAME}} with {@code variables}. The reader is
     * read to the end but not closed.
     *
     * @param sourceName the name used in error messages, e.g. {@code rules.yaml}
     * @param reader the rules text (at most 1 Mi characters)
     * @param variables returns the value of a variable, or null when it is not set
     * @return the rule set
     * @throws RulesFileException if the text cannot be read or is invalid
     */
    public static RuleSet load(String sourceName, Reader reader, Function<String, String> variables) {
        Objects.requireNonNull(sourceName, "sourceName");
        Objects.requireNonNull(reader, "reader");
        Objects.requireNonNull(variables, "variables");
        RulesFileLoader loader = new RulesFileLoader(sourceName, variables);
        String text;
        try {
            text = RulesFileLoader.readLimited(reader);
        } catch (IOException e) {
            throw new RulesFileException(sourceName, 0, 0, "cannot read: " + e, e);
        }
        if (text == null) {
            throw new RulesFileException(sourceName, 0, 0, "larger than 1 MiB; a rules file must be smaller");
        }
        return loader.load(text);
    }

    /**
     * Starts a rule set in code; {@link Builder#build()} applies the same checks as a file.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Decides a request from the rules alone: the first rule, in file order, whose path pattern
     * and methods both match decides. A path some rule covers, with a method none of the covering
     * rules lists, is {@linkplain RuleDecision.Refused.Reason#METHOD_NOT_ALLOWED refused} whatever
     * {@link #unmatched()} says (outside review, finding 9); only a path no rule covers is left to
     * {@link #unmatched()}. One trailing slash is ignored ({@code /x/} is decided like {@code /x}).
     *
     * @param method the request method, e.g. {@code GET} (case-sensitive)
     * @param normalizedPath the decoded, normalized, context-relative path starting with
     *     {@code /}; a path with an empty, {@code .} or {@code ..} segment is refused as matching no rule
     * @return the decision
     */
    public RuleDecision match(String method, String normalizedPath) {
        Objects.requireNonNull(method, "method");
        int[] bounds = PathPattern.segmentBounds(normalizedPath);
        if (bounds == null) {
            return NOT_A_NORMALIZED_PATH;
        }
        Set<String> coveringMethods = null;
        for (int candidate : index.candidates(normalizedPath, bounds)) {
            CompiledRule rule = compiled[candidate];
            if (rule.pattern.matches(normalizedPath, bounds, rule.literalOrder)) {
                if (rule.rule.appliesTo(method)) {
                    return rule.decide(normalizedPath, bounds);
                }
                if (coveringMethods == null) {
                    coveringMethods = new LinkedHashSet<>();
                }
                coveringMethods.addAll(rule.rule.methods());   // a rule without methods applies to all
                if (rule.rule.methods().contains("GET")) {
                    coveringMethods.add("HEAD");
                }
            }
        }
        return coveringMethods == null ? unmatchedDecision
                : new RuleDecision.Refused(RuleDecision.Refused.Reason.METHOD_NOT_ALLOWED, null, coveringMethods);
    }

    /**
     * What to do with a request no rule matches.
     *
     * @return the policy; {@link UnmatchedPolicy#DENY} unless configured
     */
    public UnmatchedPolicy unmatched() {
        return unmatched;
    }

    /**
     * A new verifier builder with the rules' {@code logto} settings applied, in file order, the
     * way {@code CaffeineSpec} feeds {@code Caffeine}. Each call returns a fresh builder; add
     * metrics or a clock, then build.
     *
     * @return the builder, or empty when the rules have no {@code logto} settings (a rule set
     *     built in code for a verifier the caller supplies)
     */
    public Optional<OrganizationTokenVerifier.Builder> verifierBuilder() {
        if (logto == null) {
            return Optional.empty();
        }
        OrganizationTokenVerifier.Builder builder = OrganizationTokenVerifier.builder();
        logto.forEach(setting -> setting.accept(builder));
        return Optional.of(builder);
    }

    /**
     * The audience for rules that name none, and for unmatched requests under
     * {@link UnmatchedPolicy#AUTHENTICATED}.
     *
     * @return the default audience, or empty when not configured
     */
    public Optional<String> defaultAudience() {
        return Optional.ofNullable(defaultAudience);
    }

    /**
     * The realm for {@code WWW-Authenticate} challenges.
     *
     * @return the realm; {@value #DEFAULT_REALM} unless configured
     */
    public String realm() {
        return realm;
    }

    /**
     * Whether an {@code access_token} query parameter is accepted.
     *
     * @return false unless configured
     */
    public boolean queryTokenAllowed() {
        return queryTokenAllowed;
    }

    /**
     * The rules in matching order.
     *
     * @return an unmodifiable list, never empty
     */
    public List<PathRule> rules() {
        return rules;
    }

    @Override
    public String toString() {
        return "RuleSet[" + rules.size() + " rules, unmatched=" + unmatched.fileValue() + "]";
    }

    /** Builds a {@link RuleSet} in code, with the same validation as a rules file. */
    public static final class Builder {
        private List<Consumer<OrganizationTokenVerifier.Builder>> logto;
        private String defaultAudience;
        private UnmatchedPolicy unmatched = UnmatchedPolicy.DENY;
        private String realm = DEFAULT_REALM;
        private boolean queryTokenAllowed;
        private final List<PathRule> rules = new ArrayList<>();

        private Builder() {}

        /**
         * Adds verifier settings, as the rules file's {@code logto} section does: applied to a
         * fresh {@link OrganizationTokenVerifier.Builder} by {@link RuleSet#verifierBuilder()}. Not
         * needed when the filter is given a verifier of its own.
         *
         * @param settings calls on the verifier's builder, e.g. {@code b -> b.logtoEndpoint(url)}
         * @return this builder
         * @throws IllegalArgumentException when a setting refuses its value
         */
        public Builder logto(Consumer<OrganizationTokenVerifier.Builder> settings) {
            Objects.requireNonNull(settings, "settings");
            settings.accept(OrganizationTokenVerifier.builder());   // a bad value fails here, where it is set
            if (logto == null) {
                logto = new ArrayList<>();
            }
            logto.add(settings);
            return this;
        }

        /** The rules file's {@code logto} section, already checked by {@link LogtoSection}. */
        Builder logtoSettings(List<Consumer<OrganizationTokenVerifier.Builder>> settings) {
            this.logto = new ArrayList<>(settings);
            return this;
        }

        /**
         * Shorthand for {@code logto(b -> b.logtoEndpoint(endpoint))}.
         *
         * @param endpoint the Logto endpoint, e.g. {@code https://tenant.logto.app}
         * @return this builder
         * @throws IllegalArgumentException when it is not a valid endpoint
         */
        public Builder logtoEndpoint(String endpoint) {
            LogtoEndpoint parsed = LogtoEndpoint.of(endpoint);
            return logto(b -> b.logtoEndpoint(parsed));
        }

        /**
         * Sets the audience for rules that name none.
         *
         * @param audience the audience, without placeholders
         * @return this builder
         */
        public Builder defaultAudience(String audience) {
            AudienceTemplate parsed;
            try {
                parsed = AudienceTemplate.parse(audience);
            } catch (IllegalArgumentException e) {
                throw new ConfigProblem("audience", e.getMessage());
            }
            if (!parsed.isLiteral()) {
                throw new ConfigProblem("audience", "the default audience cannot use placeholders like '{"
                        + parsed.variables().iterator().next() + "}'; put templated audiences on the rules");
            }
            this.defaultAudience = audience;
            return this;
        }

        /**
         * Sets what happens to requests no rule matches.
         *
         * @param policy the policy (default {@link UnmatchedPolicy#DENY})
         * @return this builder
         */
        public Builder unmatched(UnmatchedPolicy policy) {
            this.unmatched = Objects.requireNonNull(policy, "unmatched");
            return this;
        }

        /**
         * Sets the {@code WWW-Authenticate} realm.
         *
         * @param realm printable ASCII without quotes or backslashes
         * @return this builder
         */
        public Builder realm(String realm) {
            Objects.requireNonNull(realm, "realm");
            if (realm.isEmpty()) {
                throw new ConfigProblem("realm", "'realm' must not be empty");
            }
            for (int i = 0; i < realm.length(); i++) {
                char c = realm.charAt(i);
                if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') {
                    throw new ConfigProblem("realm",
                            "'realm' must be printable ASCII without quotes or backslashes, was '" + realm + "'");
                }
            }
            this.realm = realm;
            return this;
        }

        /**
         * Whether to accept an {@code access_token} query parameter (default false; tokens in
         * URLs end up in logs).
         *
         * @param allowed true to accept it
         * @return this builder
         */
        public Builder queryTokenAllowed(boolean allowed) {
            this.queryTokenAllowed = allowed;
            return this;
        }

        /**
         * Appends a rule; rules are matched in the order added.
         *
         * @param rule the rule
         * @return this builder
         */
        public Builder rule(PathRule rule) {
            rules.add(Objects.requireNonNull(rule, "rule"));
            return this;
        }

        /**
         * Appends rules in order.
         *
         * @param rules the rules
         * @return this builder
         */
        public Builder rules(Collection<PathRule> rules) {
            rules.forEach(this::rule);
            return this;
        }

        /**
         * Builds the rule set.
         *
         * @return the rule set
         * @throws IllegalArgumentException if the Logto settings or rules are missing, or a
         *     non-public rule (or {@code unmatched: authenticated}) has no audience to use
         */
        public RuleSet build() {
            if (logto != null) {
                OrganizationTokenVerifier.Builder verifier = OrganizationTokenVerifier.builder();
                logto.forEach(setting -> setting.accept(verifier));
                try {
                    verifier.validate();
                } catch (IllegalStateException e) {
                    throw new ConfigProblem("logto", e.getMessage());
                }
            }
            if (rules.isEmpty()) {
                throw new ConfigProblem("rules", "the rule list is empty; at least one rule is required");
            }
            if (defaultAudience == null) {
                for (int i = 0; i < rules.size(); i++) {
                    PathRule rule = rules.get(i);
                    if (!rule.isPublic() && rule.audienceTemplate().isEmpty()) {
                        throw ConfigProblem.inRule(i, "audience", "rule '" + rule.path()
                                + "' needs an audience: set 'audience' on the rule or a default 'audience' at the top level");
                    }
                }
                if (unmatched == UnmatchedPolicy.AUTHENTICATED) {
                    throw new ConfigProblem("unmatched",
                            "'unmatched: authenticated' needs a default 'audience' at the top level");
                }
            }
            if (queryTokenAllowed) {
                LOG.warn("Access tokens are accepted in the access_token query parameter; URLs end up in logs");
            }
            return new RuleSet(this);
        }
    }
}
