package dev.orgtoken.rules;

import dev.orgtoken.JwsAlgorithm;
import dev.orgtoken.OrganizationTokenVerifier;
import java.time.Duration;
import java.util.ArrayList;
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
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * The rules file's {@code logto:} section, applied key by key to {@link OrganizationTokenVerifier.Builder}
 * the way {@code CaffeineSpec} feeds {@code Caffeine}: the builder's own setters validate each value
 * (so every limit lives in one place, core), and a refusal is reported at the key's line with the
 * key's file spelling. The settings are kept, in file order, for {@link RuleSet#verifierBuilder()}.
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
            Map.entry("verification-wait", "verificationWait"));
    static final List<String> KEYS = List.of("endpoint", "issuers", "jwks-uri", "clock-skew", "algorithms",
            "require-access-token-type", "token-cache-size", "jwks-ttl", "jwks-refresh-cooldown", "jwks-stale-for",
            "jwks-connect-timeout", "jwks-request-timeout", "max-token-length", "allow-insecure-http",
            "max-concurrent-verifications", "verification-wait");
    /** In the order the file's messages have always listed them. */
    private static final String SUPPORTED = "RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512";

    private final NodeReader reader;
    /** Validates each setting as it is read; never built. */
    private final OrganizationTokenVerifier.Builder scratch = OrganizationTokenVerifier.builder();
    private final List<Consumer<OrganizationTokenVerifier.Builder>> settings = new ArrayList<>();

    private LogtoSection(NodeReader reader) {
        this.reader = reader;
    }

    /** Reads the section into settings for {@link RuleSet.Builder#logto}, checked as a whole. */
    static List<Consumer<OrganizationTokenVerifier.Builder>> read(NodeReader reader, Node node) {
        if (!(node instanceof MappingNode section)) {
            throw reader.error(node, "'logto' must be a mapping with 'endpoint', or 'issuers' and 'jwks-uri', found "
                    + NodeReader.describe(node));
        }
        LogtoSection logto = new LogtoSection(reader);
        Map<String, NodeTuple> keys = reader.keys(section, KEYS);
        for (Map.Entry<String, NodeTuple> e : keys.entrySet()) {
            logto.read(e.getKey(), e.getValue().getValueNode());
        }
        try {
            logto.scratch.validate();
        } catch (IllegalStateException e) {
            throw reader.error(section, inFileWords(null, e.getMessage()));
        }
        return List.copyOf(logto.settings);
    }

    private void read(String key, Node v) {
        switch (key) {
            case "endpoint" -> {
                String endpoint = reader.string(v, key);
                set(key, v, b -> b.logtoEndpoint(endpoint));
            }
            case "issuers" -> {
                List<String> issuers = reader.stringList(v, key);
                List<Node> items = ((SequenceNode) v).getValue();
                for (int i = 0; i < issuers.size(); i++) {
                    String issuer = issuers.get(i);
                    set(key, items.get(i), b -> b.issuers(issuer));   // each at its own line
                }
            }
            case "jwks-uri" -> {
                String uri = reader.string(v, key);
                set(key, v, b -> b.jwksUri(uri));
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
                set(key, v, b -> b.allowInsecureHttp(allow));
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
            case "verification-wait" -> duration(key, v, OrganizationTokenVerifier.Builder::verificationWait);
            case "clock-skew" -> duration(key, v, OrganizationTokenVerifier.Builder::clockSkew);
            case "jwks-ttl" -> duration(key, v, OrganizationTokenVerifier.Builder::jwksTtl);
            case "jwks-refresh-cooldown" -> duration(key, v, OrganizationTokenVerifier.Builder::jwksRefreshCooldown);
            case "jwks-stale-for" -> duration(key, v, OrganizationTokenVerifier.Builder::jwksStaleFor);
            case "jwks-connect-timeout" -> duration(key, v, OrganizationTokenVerifier.Builder::jwksConnectTimeout);
            case "jwks-request-timeout" -> duration(key, v, OrganizationTokenVerifier.Builder::jwksRequestTimeout);
            default -> throw new AssertionError(key);
        }
    }

    private void duration(String key, Node v,
            java.util.function.BiFunction<OrganizationTokenVerifier.Builder, Duration, OrganizationTokenVerifier.Builder> setter) {
        Duration d = reader.duration(v, key);
        set(key, v, b -> setter.apply(b, d));
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
                .replace("logtoEndpoint(...)", "'endpoint'");
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
