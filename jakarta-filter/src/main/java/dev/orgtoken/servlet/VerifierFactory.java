package dev.orgtoken.servlet;

import dev.orgtoken.OrganizationTokenVerifier;
import dev.orgtoken.VerifierMetrics;
import dev.orgtoken.jws.JwsAlgorithm;
import dev.orgtoken.rules.VerifierSettings;

/** Turns the rules file's {@code logto:} section into a verifier; unset keys keep core's defaults. */
final class VerifierFactory {
    private VerifierFactory() {}

    static OrganizationTokenVerifier create(VerifierSettings s, VerifierMetrics metrics) {
        OrganizationTokenVerifier.Builder b = OrganizationTokenVerifier.builder().metrics(metrics);
        s.endpoint().ifPresent(e -> b.logtoEndpoint(e.toString()));
        b.issuers(s.issuers().toArray(String[]::new));
        b.jwksUri(s.jwksUri().toString());
        s.algorithms().ifPresent(list -> b.allowedAlgorithms(
                list.stream().map(JwsAlgorithm::parseSetting).toArray(JwsAlgorithm[]::new)));
        s.requireAccessTokenType().ifPresent(b::requireAccessTokenType);
        s.clockSkew().ifPresent(b::clockSkew);
        s.tokenCacheSize().ifPresent(b::tokenCacheSize);
        s.maxTokenLength().ifPresent(b::maxTokenLength);
        s.jwksTtl().ifPresent(b::jwksTtl);
        s.jwksRefreshCooldown().ifPresent(b::jwksRefreshCooldown);
        s.jwksStaleFor().ifPresent(b::jwksStaleFor);
        s.jwksConnectTimeout().ifPresent(b::jwksConnectTimeout);
        s.jwksRequestTimeout().ifPresent(b::jwksRequestTimeout);
        return b.build();
    }

    /** Seconds a client should wait before retrying after keys were unavailable. */
    static long retryAfterSeconds(VerifierSettings s) {
        return Math.max(1, s.jwksRefreshCooldown().map(d -> (d.toMillis() + 999) / 1000).orElse(30L));
    }
}
