package dev.orgtoken.rules;

import dev.orgtoken.JwsAlgorithm;
import dev.orgtoken.OrganizationTokenVerifier;
import dev.orgtoken.TenantSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * The rules file's {@code logto:} section and its {@code tenants:} map, applied key by key to
 * {@link OrganizationTokenVerifier.Builder} the way {@code CaffeineSpec} feeds {@code Caffeine}: the
 * builder's own setters validate each value (so every limit lives in one place, core), and a refusal
 * is reported at the key's line with the key's file spelling. The settings are kept, in file order,
 * for {@link RuleSet#verifierBuilder()}.
 *
 * <p>One tenant: {@code logto:} names it ({@code endpoint}, or {@code issuers} and {@code jwks-uri}).
 * Several: each entry of {@code tenants:} names one, with the same keys (and its own JWKS timings
 * and {@code roles-claim}); {@code logto:} then holds only what they share.
 */
final class LogtoSection {
    /** Each key and the builder option whose messages it answers for (they start with its name). */
    static final Map<String, String> OPTIONS = Map.ofEntries(
            Map.entry("endpoint", "endpoint"), Map.entry("issuers", "issuers"), Map.entry("jwks-uri", "jwksUri"),
            Map.entry("clock-skew", "clockSkew"), Map.entry("algorithms", "allowedAlgorithms"),
            Map.entry("require-access-token-type", "requireAccessTokenType"),
            Map.entry("token-cache-size", "tokenCacheSize"), Map.entry("max-token-length", "maxTokenLength"),
            Map.entry("jwks-ttl", "jwksTtl"), Map.entry("jwks-refresh-cooldown", "jwksRefreshCooldown"),
            Map.entry("jwks-stale-for", "jwksStaleFor"), Map.entry("jwks-connect-timeout", "jwksConnectTimeout"),
            Map.entry("jwks-request-timeout", "jwksRequestTimeout"), Map.entry("allow-insecure-http", "allowInsecureHttp"),
            Map.entry("max-concurrent-verifications", "maxConcurrentVerifications"),
            Map.entry("verification-wait", "verificationWait"), Map.entry("roles-claim", "rolesClaim"));
    static final List<String> KEYS = List.of("endpoint", "issuers", "jwks-uri", "clock-skew", "algorithms",
            "require-access-token-type", "token-cache-size", "jwks-ttl", "jwks-refresh-cooldown", "jwks-stale-for",
            "jwks-connect-timeout", "jwks-request-timeout", "max-token-length", "allow-insecure-http", "roles-claim",
            "max-concurrent-verifications", "verification-wait");
    /** The keys of one entry of {@code tenants:}: what is a tenant's own. */
    static final List<String> TENANT_KEYS = List.of("endpoint", "issuers", "jwks-uri", "jwks-ttl",
            "jwks-refresh-cooldown", "jwks-stale-for", "jwks-connect-timeout", "jwks-request-timeout",
            "allow-insecure-http", "roles-claim");
    /** What names a tenant: with {@code tenants:}, these belong to each tenant, not to {@code logto:}. */
    private static final List<String> IDENTITY_KEYS = List.of("endpoint", "issuers", "jwks-uri");
    /** In the order the file's messages have always listed them. */
    private static final String SUPPORTED = "RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512";

    private final NodeReader reader;
    /** Validates each setting as it is read; never built. */
    private final OrganizationTokenVerifier.Builder scratch = OrganizationTokenVerifier.builder();
    private final List<Consumer<OrganizationTokenVerifier.Builder>> settings = new ArrayList<>();
    /** The tenant each tenant setting belongs to, for checking one tenant on its own. */
    private final Map<Consumer<OrganizationTokenVerifier.Builder>, String> tenantOf = new IdentityHashMap<>();

    private LogtoSection(NodeReader reader) {
        this.reader = reader;
    }

    /**
     * Reads the sections into settings for {@link RuleSet.Builder#logto}, checked as a whole.
     *
     * @param logtoNode the value of {@code logto}, or null when absent
     * @param tenantsNode the value of {@code tenants}, or null when absent
     * @param top the file's top mapping, where a missing section is reported
     */
    static List<Consumer<OrganizationTokenVerifier.Builder>> read(NodeReader reader, Node logtoNode, Node tenantsNode,
            Node top) {
        LogtoSection logto = new LogtoSection(reader);
        if (logtoNode == null && tenantsNode == null) {
            throw reader.error(top, "missing 'logto' section ('endpoint', or 'issuers' and 'jwks-uri'), or 'tenants'");
        }
        MappingNode section = null;
        if (logtoNode != null) {
            if (!(logtoNode instanceof MappingNode m)) {
                throw reader.error(logtoNode, "'logto' must be a mapping with 'endpoint', or 'issuers' and 'jwks-uri',"
                        + " found " + NodeReader.describe(logtoNode));
            }
            section = m;
            Map<String, NodeTuple> keys = reader.keys(section, KEYS);
            for (Map.Entry<String, NodeTuple> e : keys.entrySet()) {
                if (tenantsNode != null && IDENTITY_KEYS.contains(e.getKey())) {
                    throw reader.error(e.getValue().getKeyNode(), "'" + e.getKey() + "' belongs to each tenant when"
                            + " 'tenants' is set; 'logto' then holds only what the tenants share");
                }
                logto.read(e.getKey(), e.getValue().getValueNode(), null);
            }
        }
        if (tenantsNode != null) {
            logto.tenants(tenantsNode);
        }
        try {
            logto.scratch.validate();
        } catch (IllegalStateException e) {
            throw reader.error(tenantsNode != null ? tenantsNode : section, inFileWords(null, e.getMessage()));
        }
        return List.copyOf(logto.settings);
    }

    /** The {@code tenants:} map: each entry's name, then its keys, each tenant checked on its own. */
    private void tenants(Node node) {
        if (!(node instanceof MappingNode map) || map.getValue().isEmpty()) {
            throw reader.error(node, "'tenants' must be a mapping from tenant names to their settings, like"
                    + " 'tenants: {cloud: {endpoint: https://acme.logto.app}}', found " + NodeReader.describe(node));
        }
        Set<String> names = new LinkedHashSet<>();
        for (NodeTuple entry : map.getValue()) {
            Node nameNode = entry.getKeyNode();
            String name = nameNode instanceof ScalarNode scalar && !NodeReader.isNull(nameNode) ? scalar.getValue() : null;
            if (name == null) {
                throw reader.error(nameNode, "a tenant's name must be a plain name, found " + NodeReader.describe(nameNode));
            }
            if (!names.add(name)) {
                throw reader.error(nameNode, "tenant '" + name + "' is listed twice");
            }
            set(null, nameNode, b -> b.tenant(name, t -> { }));
            tenantOf.put(settings.get(settings.size() - 1), name);
            Node value = entry.getValueNode();
            if (!(value instanceof MappingNode tenant)) {
                throw reader.error(value, "tenant '" + name + "' must be a mapping with 'endpoint', or 'issuers' and"
                        + " 'jwks-uri', found " + NodeReader.describe(value));
            }
            for (Map.Entry<String, NodeTuple> e : reader.keys(tenant, TENANT_KEYS).entrySet()) {
                read(e.getKey(), e.getValue().getValueNode(), name);
            }
            OrganizationTokenVerifier.Builder alone = OrganizationTokenVerifier.builder();
            settings.stream().filter(setting -> tenantOf.get(setting) == null || name.equals(tenantOf.get(setting)))
                    .forEach(setting -> setting.accept(alone));
            try {
                alone.validate();
            } catch (IllegalStateException e) {
                throw reader.error(tenant, inFileWords(null, e.getMessage()));
            }
        }
    }

    /**
     * One key, for the verifier ({@code tenant} null) or for one tenant: the same key sets the same
     * option, on the builder or on {@link dev.orgtoken.TenantSettings}.
     */
    private void read(String key, Node v, String tenant) {
        switch (key) {
            case "endpoint" -> {
                String endpoint = reader.string(v, key);
                set(key, v, tenant, b -> b.logtoEndpoint(endpoint), t -> t.logtoEndpoint(endpoint));
            }
            case "issuers" -> {
                List<String> issuers = reader.stringList(v, key);
                List<Node> items = ((SequenceNode) v).getValue();
                for (int i = 0; i < issuers.size(); i++) {
                    String issuer = issuers.get(i);
                    set(key, items.get(i), tenant, b -> b.issuers(issuer), t -> t.issuers(issuer));   // each at its own line
                }
            }
            case "jwks-uri" -> {
                String uri = reader.string(v, key);
                set(key, v, tenant, b -> b.jwksUri(uri), t -> t.jwksUri(uri));
            }
            case "roles-claim" -> {
                String claim = reader.string(v, key);
                set(key, v, tenant, b -> b.rolesClaim(claim), t -> t.rolesClaim(claim));
            }
            case "algorithms" -> {
                JwsAlgorithm[] algorithms = algorithms(v);
                set(key, v, b -> b.allowedAlgorithms(algorithms));
            }
            case "require-access-token-type" -> {
                boolean require = reader.bool(v, key);
                set(key, v, b -> b.requireAccessTokenType(require));
            }
            case "allow-insecure-http" -> {
                boolean allow = reader.bool(v, key);
                set(key, v, tenant, b -> b.allowInsecureHttp(allow), t -> t.allowInsecureHttp(allow));
            }
            case "token-cache-size" -> {
                int size = reader.integer(v, key);
                set(key, v, b -> b.tokenCacheSize(size));
            }
            case "max-token-length" -> {
                int length = reader.integer(v, key);
                set(key, v, b -> b.maxTokenLength(length));
            }
            case "max-concurrent-verifications" -> {
                int max = reader.integer(v, key);
                set(key, v, b -> b.maxConcurrentVerifications(max));
            }
            case "verification-wait" -> {
                Duration d = reader.duration(v, key);
                set(key, v, b -> b.verificationWait(d));
            }
            case "clock-skew" -> {
                Duration d = reader.duration(v, key);
                set(key, v, b -> b.clockSkew(d));
            }
            case "jwks-ttl" -> {
                Duration d = reader.duration(v, key);
                set(key, v, tenant, b -> b.jwksTtl(d), t -> t.jwksTtl(d));
            }
            case "jwks-refresh-cooldown" -> {
                Duration d = reader.duration(v, key);
                set(key, v, tenant, b -> b.jwksRefreshCooldown(d), t -> t.jwksRefreshCooldown(d));
            }
            case "jwks-stale-for" -> {
                Duration d = reader.duration(v, key);
                set(key, v, tenant, b -> b.jwksStaleFor(d), t -> t.jwksStaleFor(d));
            }
            case "jwks-connect-timeout" -> {
                Duration d = reader.duration(v, key);
                set(key, v, tenant, b -> b.jwksConnectTimeout(d), t -> t.jwksConnectTimeout(d));
            }
            case "jwks-request-timeout" -> {
                Duration d = reader.duration(v, key);
                set(key, v, tenant, b -> b.jwksRequestTimeout(d), t -> t.jwksRequestTimeout(d));
            }
            default -> throw new AssertionError(key);
        }
    }

    /** A key that is the verifier's ({@code tenant} null) or one tenant's. */
    private void set(String key, Node at, String tenant, Consumer<OrganizationTokenVerifier.Builder> forVerifier,
            Consumer<TenantSettings> forTenant) {
        if (tenant == null) {
            set(key, at, forVerifier);
        } else {
            set(key, at, b -> b.tenant(tenant, forTenant));
            tenantOf.put(settings.get(settings.size() - 1), tenant);
        }
    }

    /** Applies a setting to the scratch builder now, reporting a refusal at {@code at} in the file's words. */
    private void set(String key, Node at, Consumer<OrganizationTokenVerifier.Builder> setting) {
        try {
            setting.accept(scratch);
        } catch (IllegalArgumentException e) {
            throw reader.error(at, inFileWords(key, e.getMessage()));
        }
        settings.add(setting);
    }

    /**
     * The builder speaks in option names, the file in keys: "clockSkew must be ..." becomes
     * "'clock-skew' must be ...", and "jwksUri(...) is required when logtoEndpoint(...) is not set"
     * becomes "'jwks-uri' is required when 'endpoint' is not set".
     *
     * @param key the key being read, or null for a message about the section as a whole
     */
    static String inFileWords(String key, String message) {
        String out = message.replace("allowInsecureHttp(true)", "'allow-insecure-http: true'")
                .replace("logtoEndpoint(...)", "'endpoint'").replace("tenant(...)", "tenant");
        for (Map.Entry<String, String> e : OPTIONS.entrySet()) {
            out = out.replace(e.getValue() + "(...)", "'" + e.getKey() + "'");
        }
        String option = key == null ? null : OPTIONS.get(key);
        return option != null && out.startsWith(option + " ") ? "'" + key + "'" + out.substring(option.length()) : out;
    }

    /** Algorithm names exactly as RFC 7518 spells them, with a hint for near misses. */
    private JwsAlgorithm[] algorithms(Node node) {
        List<String> names = reader.stringList(node, "algorithms");
        List<Node> items = ((SequenceNode) node).getValue();
        Set<JwsAlgorithm> seen = new LinkedHashSet<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            JwsAlgorithm alg = JwsAlgorithm.named(name).orElse(null);
            if (alg == null) {
                String why = name.equalsIgnoreCase("none") || name.toUpperCase(Locale.ROOT).startsWith("HS")
                        ? " (only asymmetric algorithms can be verified with a JWKS)"
                        : Syntax.didYouMean(name, new TreeSet<>(List.of(SUPPORTED.split(", "))));
                throw reader.error(items.get(i), "unsupported algorithm '" + name + "'" + why + "; supported: " + SUPPORTED);
            }
            if (!seen.add(alg)) {
                throw reader.error(items.get(i), "algorithm '" + name + "' is listed twice");
            }
        }
        return seen.toArray(new JwsAlgorithm[0]);
    }
}
