package dev.orgtoken;

import java.time.Duration;
import java.util.Objects;

/**
 * The checks of the options a verifier's builder and each of its tenants share, so one limit is
 * written once. Every message starts with the option's name (the rules file turns it into its key).
 */
final class OptionChecks {
    private OptionChecks() {}

    static Duration jwksTtl(Duration ttl) {
        Objects.requireNonNull(ttl, "jwksTtl");
        if (ttl.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("jwksTtl must be at least 1s, was " + ttl);
        }
        return ttl;
    }

    static int jwksMaxResponseBytes(int bytes) {
        if (bytes < 1024 || bytes > 16 << 20) {
            throw new IllegalArgumentException("jwksMaxResponseBytes must be between 1024 and 16 MiB, was " + bytes);
        }
        return bytes;
    }

    static Duration notNegative(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must be zero or positive, was " + d);
        }
        return d;
    }

    static Duration positive(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, was " + d);
        }
        return d;
    }
}
