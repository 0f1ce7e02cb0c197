package dev.orgtoken.rules;

import dev.orgtoken.LogtoEndpoint;
import dev.orgtoken.OrganizationTokenVerifier;
import dev.orgtoken.Requirements;
import java.io.Reader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ordered list of {@link PathRule}s with the settings of a rules file: Logto verifier
 * settings (one tenant or several), default audience, default client allow-list, unmatched policy,
 * CORS preflights, realm, whether query tokens are accepted, and the audit listeners it names.
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
    private final Set<String> defaultClients;
    private final UnmatchedPolicy unmatched;
    private final CorsPreflight corsPreflight;
    private final String realm;
    private final boolean queryTokenAllowed;
    private final List<AuditListenerClass> auditListeners;
    private final String source;
    private final CompiledRules compiled;
    private final List<PathRule> rules;

    private RuleSet(Builder b) {
        this.logto = b.logto == null ? null : List.copyOf(b.logto);
        this.defaultAudience = b.defaultAudience;
        this.defaultClients = Collections.unmodifiableSet(new LinkedHashSet<>(b.defaultClients));
        this.unmatched = b.unmatched;
        this.corsPreflight = b.corsPreflight;
        this.realm = b.realm;
        this.queryTokenAllowed = b.queryTokenAllowed;
        this.auditListeners = List.copyOf(b.auditListeners);
        this.source = b.source;
        this.rules = List.copyOf(b.rules);
        RuleDecision unmatchedDecision = switch (b.unmatched) {
            case DENY -> new RuleDecision.Refused(RuleDecision.Refused.Reason.NO_MATCHING_RULE, null, Set.of());
            case AUTHENTICATED -> new RuleDecision.Protected(null, CompiledRule.tokenConditions(
                    Requirements.audience(b.defaultAudience), null, defaultClients));
            case PUBLIC -> new RuleDecision.Public(null);
        };
        this.compiled = new CompiledRules(rules, b.defaultAudience, defaultClients, unmatchedDecision);
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
        return new RulesFileLoader(sourceName, variables).load(reader);
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
        return compiled.match(method, normalizedPath);
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

    /** @return the client allow-list of rules that set none (and of {@code unmatched: authenticated}); empty: any */
    public Set<String> defaultClients() {
        return defaultClients;
    }

    /** @return what the filter does with a CORS preflight; {@link CorsPreflight#REFUSE} unless configured */
    public CorsPreflight corsPreflight() {
        return corsPreflight;
    }

    /** @return the decision listeners the rules name by class, in order, for the filter to instantiate */
    public List<AuditListenerClass> auditListeners() {
        return auditListeners;
    }

    /**
     * Where a rule is, for logs and audit events: {@code orgtoken.yaml:12}, or for a rule built in code,
     * the rule itself.
     *
     * @param rule a rule of this set, or null (the {@code unmatched} policy decided)
     * @return the location, or {@code unmatched}
     */
    public String location(PathRule rule) {
        return rule == null ? "unmatched" : rule.line() > 0 ? source + ":" + rule.line() : rule.toString();
    }

    /**
     * Checks that a verifier the caller supplies fits the rules: every tenant a rule names is one of
     * the verifier's, and a rule that requires roles accepts some tenant whose roles are read. The
     * filter calls it with the verifier it is given; a rules file's own {@code logto} settings are
     * checked when it is loaded.
     *
     * @param verifier the verifier
     * @throws IllegalArgumentException naming the first rule that does not fit, and its line
     */
    public void checkFits(OrganizationTokenVerifier verifier) {
        try {
            RuleValues.fit(rules, verifier.tenants(), t -> verifier.rolesClaim(t).isPresent());
        } catch (ConfigProblem p) {
            PathRule rule = rules.get(p.ruleIndex());
            throw new IllegalArgumentException(location(rule) + ": " + p.getMessage());
        }
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
        return "RuleSet[" + rules.size() + " rules, unmatched=" + unmatched.fileValue() + ", cors-preflight="
                + corsPreflight.fileValue() + "]";
    }

    /** Builds a {@link RuleSet} in code, with the same validation as a rules file. */
    public static final class Builder {
        private List<Consumer<OrganizationTokenVerifier.Builder>> logto;
        private String defaultAudience;
        private Set<String> defaultClients = Set.of();
        private UnmatchedPolicy unmatched = UnmatchedPolicy.DENY;
        private CorsPreflight corsPreflight = CorsPreflight.REFUSE;
        private String realm = DEFAULT_REALM;
        private boolean queryTokenAllowed;
        private final List<AuditListenerClass> auditListeners = new ArrayList<>();
        private String source = "code";
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
            this.defaultAudience = RuleValues.defaultAudience(audience);
            return this;
        }

        /**
         * Sets the client allow-list ({@code client_id}) of every rule that sets none, and of
         * {@code unmatched: authenticated}; a rule's own {@code clients} replaces it, and
         * {@code clients: any} lifts it. Default: any client.
         *
         * @param clients one or more client ids
         * @return this builder
         */
        public Builder defaultClients(String... clients) {
            this.defaultClients = RuleValues.names("clients", "client id", Arrays.asList(clients), true);
            return this;
        }

        /**
         * Sets what the filter does with CORS preflights (default {@link CorsPreflight#REFUSE}).
         *
         * @param preflight the setting
         * @return this builder
         */
        public Builder corsPreflight(CorsPreflight preflight) {
            this.corsPreflight = Objects.requireNonNull(preflight, "cors-preflight");
            return this;
        }

        /**
         * Names a decision listener class for the filter to instantiate (public no-argument
         * constructor), as the rules file's {@code audit} list does. To register an instance, give it
         * to the filter's constructor instead.
         *
         * @param className the listener's binary class name
         * @return this builder
         * @throws IllegalArgumentException when it is not a Java class name
         */
        public Builder auditListener(String className) {
            return auditListener(new AuditListenerClass(className, "code"));
        }

        Builder auditListener(AuditListenerClass listener) {
            auditListeners.add(listener);
            return this;
        }

        /** The rules file's name, for {@link RuleSet#location}; set by the loader. */
        Builder source(String name) {
            this.source = name;
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
            this.realm = RuleValues.realm(realm);
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
            if (rules.isEmpty()) {
                throw new ConfigProblem("rules", "the rule list is empty; at least one rule is required");
            }
            if (logto != null) {
                OrganizationTokenVerifier.Builder verifier = OrganizationTokenVerifier.builder();
                logto.forEach(setting -> setting.accept(verifier));
                try {
                    verifier.validate();
                } catch (IllegalStateException e) {
                    throw new ConfigProblem("logto", e.getMessage());
                }
                RuleValues.fit(rules, verifier.tenantNames(), verifier::readsRoles);
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
