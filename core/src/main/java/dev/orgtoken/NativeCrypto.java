package dev.orgtoken;

import java.lang.reflect.InvocationTargetException;
import java.security.Provider;
import java.security.Security;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The optional native signature provider: the Amazon Corretto Crypto Provider (ACCP), found by
 * reflection so that core has no compile-time or run-time dependency on it.
 *
 * <p>When the application has ACCP on its class path ({@code software.amazon.cryptools:
 * AmazonCorrettoCryptoProvider}, classifier {@code linux-x86_64}) and its native library loads and
 * passes its self-tests, ACCP is registered with {@link Security#addProvider} (so at the <em>end</em>
 * of the provider list: the JVM's own preference order is never changed) and the verifier asks for
 * it by name. Otherwise one warning is logged per JVM and the JDK's providers are used: a missing
 * or broken native library is never a start-up failure.
 */
final class NativeCrypto {
    /** The system property that switches native crypto on when the builder does not say. */
    static final String PROPERTY = "orgtoken.crypto.provider";
    /** The ACCP provider class, looked up reflectively. */
    static final String ACCP_CLASS = "com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider";

    private static final Logger LOG = LoggerFactory.getLogger(NativeCrypto.class);
    private static final Object LOCK = new Object();
    private static Resolution accp;

    /**
     * The outcome of looking for the native provider.
     *
     * @param providerName the registered provider's name, or null when it is unusable
     * @param problem why it is unusable, or null
     */
    record Resolution(String providerName, String problem) {
        boolean usable() {
            return providerName != null;
        }
    }

    private NativeCrypto() {}

    /**
     * Whether the system property asks for native crypto.
     *
     * @return true for {@code accp}, false when unset, empty or {@code jdk}
     * @throws IllegalStateException for any other value
     */
    static boolean requestedBySystemProperty() {
        String value = System.getProperty(PROPERTY);
        if (value == null) {
            return false;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.isEmpty() || v.equals("jdk")) {
            return false;
        }
        if (v.equals("accp")) {
            return true;
        }
        throw new IllegalStateException("system property " + PROPERTY + " must be 'accp' or 'jdk', was '" + value + "'");
    }

    /**
     * The ACCP provider's name when it is usable, resolving (and registering) it on first use.
     * A failure is logged once per JVM, as a warning, and remembered.
     *
     * @return the provider name, or null to use the JDK's providers
     */
    static String accpProviderName() {
        synchronized (LOCK) {
            if (accp == null) {
                accp = resolve(ACCP_CLASS, NativeCrypto.class.getClassLoader());
                if (accp.usable()) {
                    LOG.info("native crypto: signatures are verified with {}", describe(accp.providerName()));
                } else {
                    LOG.warn("native crypto was requested but {}; verifying signatures with the JDK's providers",
                            accp.problem());
                }
            }
            return accp.providerName();
        }
    }

    /**
     * Finds the provider class, checks that its native library loaded and is healthy, and appends it
     * to the JVM's provider list unless a provider of that name is already installed. Never throws.
     *
     * @param className the provider class
     * @param loader where to look first (the thread's context class loader is tried next)
     * @return the outcome
     */
    static Resolution resolve(String className, ClassLoader loader) {
        Class<?> type;
        try {
            type = load(className, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return new Resolution(null, className + " is not on the class path (add "
                    + "software.amazon.cryptools:AmazonCorrettoCryptoProvider with classifier linux-x86_64)");
        }
        try {
            Object instance = type.getField("INSTANCE").get(null);
            if (!(instance instanceof Provider provider)) {
                return new Resolution(null, className + ".INSTANCE is not a java.security.Provider");
            }
            Object loadingError = type.getMethod("getLoadingError").invoke(provider);
            if (loadingError instanceof Throwable t) {
                return new Resolution(null, "its native library could not be loaded (" + summary(t) + ")");
            }
            type.getMethod("assertHealthy").invoke(provider);
            Provider installed = Security.getProvider(provider.getName());
            if (installed == null) {
                Security.addProvider(provider); // appended: the JVM's own order stays as it was
            }
            return new Resolution(provider.getName(), null);
        } catch (InvocationTargetException e) {
            return new Resolution(null, "it is not healthy (" + summary(e.getCause()) + ")");
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return new Resolution(null, "it could not be initialised (" + summary(e) + ")");
        }
    }

    private static Class<?> load(String className, ClassLoader loader) throws ClassNotFoundException {
        try {
            return Class.forName(className, true, loader);
        } catch (ClassNotFoundException e) {
            ClassLoader context = Thread.currentThread().getContextClassLoader();
            if (context == null || context == loader) {
                throw e;
            }
            return Class.forName(className, true, context);
        }
    }

    private static String describe(String providerName) {
        Provider p = Security.getProvider(providerName);
        return p == null ? providerName : providerName + " " + p.getVersionStr();
    }

    private static String summary(Throwable t) {
        if (t == null) {
            return "no detail";
        }
        String message = t.getMessage();
        return message == null ? t.getClass().getName() : t.getClass().getSimpleName() + ": " + message;
    }

    /** Forgets the remembered outcome (tests only). */
    static void resetForTests() {
        synchronized (LOCK) {
            accp = null;
        }
    }
}
