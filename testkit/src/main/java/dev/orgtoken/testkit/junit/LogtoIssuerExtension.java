package dev.orgtoken.testkit.junit;

import dev.orgtoken.testkit.LogtoTestIssuer;
import java.util.Objects;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that runs a {@link LogtoTestIssuer} for a test class (or for each test
 * method), injects it, and makes the application under test trust it: while the issuer runs, the
 * system property {@value #DEFAULT_ENDPOINT_PROPERTY} holds its endpoint. A rules file with
 * {@code endpoint: ${LOGTO_ENDPOINT}} resolves system properties before environment variables, so
 * the servlet filter, the Spring Boot starter and the Jakarta Security mechanism all trust the test
 * issuer without any other setting. The property's previous value (usually none) is restored when
 * the issuer stops.
 *
 * <pre>{@code
 * @RegisterExtension
 * static LogtoIssuerExtension logto = LogtoIssuerExtension.perClass();
 *
 * @Test
 * void membersNeedTheScope(LogtoTestIssuer issuer) {       // or logto.issuer()
 *     String token = issuer.organizationResourceToken("user-1", API, "o1", "read:members").sign();
 *     ...
 * }
 * }</pre>
 *
 * <p>Register it in a {@code static} field for {@link #perClass()} (started before the class's
 * {@code @BeforeAll} methods, so a server started there already trusts it); {@link #perMethod()}
 * starts a new issuer before each test. A system property is global to the JVM: do not run test
 * classes that use this extension in parallel in one JVM.
 */
public final class LogtoIssuerExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {
    /** The system property set to the running issuer's endpoint, unless {@link #endpointProperty} names another. */
    public static final String DEFAULT_ENDPOINT_PROPERTY = "LOGTO_ENDPOINT";

    private final boolean perMethod;
    private Consumer<LogtoTestIssuer.Builder> configuration = builder -> { };
    private String endpointProperty = DEFAULT_ENDPOINT_PROPERTY;
    private LogtoTestIssuer issuer;
    private String startedBy;
    private String previousValue;

    private LogtoIssuerExtension(boolean perMethod) {
        this.perMethod = perMethod;
    }

    /**
     * For {@code @ExtendWith(LogtoIssuerExtension.class)}: one issuer per test class.
     */
    public LogtoIssuerExtension() {
        this(false);
    }

    /** @return an extension that starts one issuer for the whole test class (register it in a static field) */
    public static LogtoIssuerExtension perClass() {
        return new LogtoIssuerExtension(false);
    }

    /** @return an extension that starts a new issuer before each test method and stops it after */
    public static LogtoIssuerExtension perMethod() {
        return new LogtoIssuerExtension(true);
    }

    /**
     * Customizes each issuer before it starts (key type, clock, token lifetime, ...).
     *
     * @param settings applied to the issuer's builder
     * @return this extension
     */
    public LogtoIssuerExtension configure(Consumer<LogtoTestIssuer.Builder> settings) {
        this.configuration = Objects.requireNonNull(settings, "settings");
        return this;
    }

    /**
     * Names the system property that receives the issuer's endpoint.
     *
     * @param name a system property name, {@value #DEFAULT_ENDPOINT_PROPERTY} by default
     * @return this extension
     */
    public LogtoIssuerExtension endpointProperty(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("endpointProperty must not be blank");
        }
        this.endpointProperty = name;
        return this;
    }

    /**
     * The running issuer.
     *
     * @return the issuer
     * @throws IllegalStateException outside the tests this extension runs for
     */
    public LogtoTestIssuer issuer() {
        LogtoTestIssuer running = issuer;
        if (running == null) {
            throw new IllegalStateException("no issuer is running: use it inside a test, or register the extension "
                    + "in a static field for perClass()");
        }
        return running;
    }

    /** @return the running issuer's endpoint, as the system property holds it */
    public String endpoint() {
        return issuer().endpoint().toString();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!perMethod) {
            start(context);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (perMethod || issuer == null) {      // an instance field with perClass() still gets an issuer
            start(context);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        stop(context);
    }

    private synchronized void start(ExtensionContext context) {
        if (issuer != null) {
            return;                              // nested classes share the outer issuer
        }
        LogtoTestIssuer.Builder builder = LogtoTestIssuer.builder();
        configuration.accept(builder);
        issuer = builder.build();
        startedBy = context.getUniqueId();
        previousValue = System.getProperty(endpointProperty);
        System.setProperty(endpointProperty, issuer.endpoint().toString());
    }

    private synchronized void stop(ExtensionContext context) {
        if (issuer == null || !context.getUniqueId().equals(startedBy)) {
            return;
        }
        try {
            issuer.close();
        } finally {
            issuer = null;
            startedBy = null;
            if (previousValue == null) {
                System.clearProperty(endpointProperty);
            } else {
                System.setProperty(endpointProperty, previousValue);
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == LogtoTestIssuer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return issuer();
    }
}
