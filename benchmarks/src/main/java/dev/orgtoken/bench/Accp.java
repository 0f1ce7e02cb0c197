package dev.orgtoken.bench;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.security.Provider;
import java.security.Security;

/** The benchmarks' direct handle on ACCP (core only ever reaches it by reflection). */
public final class Accp {
    /** The provider's registered name. */
    public static final String NAME = AmazonCorrettoCryptoProvider.PROVIDER_NAME;

    private Accp() {}

    /**
     * ACCP, healthy, <em>not</em> registered: usable with {@code getInstance(alg, provider)}.
     *
     * @return the provider
     * @throws IllegalStateException when its native library cannot load here
     */
    public static Provider provider() {
        AmazonCorrettoCryptoProvider accp = AmazonCorrettoCryptoProvider.INSTANCE;
        if (accp.getLoadingError() != null) {
            throw new IllegalStateException("ACCP did not load", accp.getLoadingError());
        }
        accp.assertHealthy();
        return accp;
    }

    /**
     * ACCP for minting when it loads here, else null (the JDK signs, more slowly): the benchmarks'
     * functional tests must also run where ACCP has no native library (macOS, say).
     *
     * @return the provider or null
     */
    public static Provider forMinting() {
        return available() ? AmazonCorrettoCryptoProvider.INSTANCE : null;
    }

    /** @return true when ACCP's native library loaded and it is healthy */
    public static boolean available() {
        try {
            AmazonCorrettoCryptoProvider accp = AmazonCorrettoCryptoProvider.INSTANCE;
            if (accp.getLoadingError() != null) {
                return false;
            }
            accp.assertHealthy();
            return true;
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /**
     * Appends ACCP to the provider list, as core's {@code nativeCrypto(true)} does.
     *
     * @return the provider
     */
    public static Provider install() {
        Provider accp = provider();
        if (Security.getProvider(accp.getName()) == null) {
            Security.addProvider(accp);
        }
        return accp;
    }

    /** @return a one-line description: version and AWS-LC version */
    public static String describe() {
        if (!available()) {
            return "ACCP not available here";
        }
        AmazonCorrettoCryptoProvider accp = AmazonCorrettoCryptoProvider.INSTANCE;
        return accp.getName() + " " + accp.getVersionStr() + " (" + accp.getAwsLcVersionStr() + ")";
    }
}
