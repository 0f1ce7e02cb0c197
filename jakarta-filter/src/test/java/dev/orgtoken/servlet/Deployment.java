package dev.orgtoken.servlet;

import static io.restassured.RestAssured.given;

import dev.orgtoken.VerifierCounters;
import io.restassured.specification.RequestSpecification;
import jakarta.servlet.Filter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One started {@link Container} with the filter and an {@link EchoServlet}. A test class starts
 * one deployment per container kind in {@code @BeforeAll} and runs every case against each.
 *
 * <p>Deliberately not {@code AutoCloseable}: JUnit closes auto-closeable arguments of a
 * parameterized test after each invocation, which would stop the container after the first test.
 */
final class Deployment {
    private final Container container;
    private final EchoServlet app;

    private Deployment(Container container, EchoServlet app) {
        this.container = container;
        this.app = app;
    }

    /**
     * Starts the container with this filter set-up.
     *
     * @throws Container.StartFailure when the web application did not start
     */
    static Deployment start(Supplier<Container> kind, Container.FilterSetup setup) throws Container.StartFailure {
        Container container = kind.get();
        EchoServlet app = new EchoServlet();
        container.start(setup, app);
        return new Deployment(container, app);
    }

    /** A deployment of a container the caller started with this application. */
    static Deployment started(Container container, EchoServlet app) {
        return new Deployment(container, app);
    }

    /** Starts Jetty and Tomcat, each with its own filter from {@code filters}. */
    static List<Deployment> onBoth(Supplier<? extends Filter> filters) {
        return onBoth(filters, "/*");
    }

    /** Starts Jetty and Tomcat, each with its own filter from {@code filters} mapped to {@code urlPattern}. */
    static List<Deployment> onBoth(Supplier<? extends Filter> filters, String urlPattern) {
        List<Deployment> started = new ArrayList<>();
        try {
            for (Supplier<Container> kind : Container.kinds()) {
                started.add(start(kind, Container.FilterSetup.instance(filters.get()).mappedTo(urlPattern)));
            }
        } catch (Container.StartFailure | RuntimeException e) {
            stopAll(started);
            throw new IllegalStateException("could not start " + e.getMessage(), e);
        }
        return List.copyOf(started);
    }

    static void stopAll(List<Deployment> deployments) {
        if (deployments != null) {
            deployments.forEach(Deployment::stop);
        }
    }

    /** A REST Assured request to this container. */
    RequestSpecification request() {
        return given().baseUri(container.baseUri().toString());
    }

    Container container() {
        return container;
    }

    EchoServlet app() {
        return app;
    }

    int hits() {
        return app.hits();
    }

    String name() {
        return container.name();
    }

    /** The counters the filter published on the servlet context (it owns its verifier). */
    VerifierCounters counters() {
        Object counters = container.servletContext().getAttribute(OrganizationTokenFilter.COUNTERS_ATTRIBUTE);
        if (!(counters instanceof VerifierCounters c)) {
            throw new AssertionError("no " + OrganizationTokenFilter.COUNTERS_ATTRIBUTE + " attribute on " + name());
        }
        return c;
    }

    /** The filter's own refusal counters, published beside the verifier's. */
    FilterCounters filterCounters() {
        Object counters = container.servletContext().getAttribute(OrganizationTokenFilter.FILTER_COUNTERS_ATTRIBUTE);
        if (!(counters instanceof FilterCounters c)) {
            throw new AssertionError("no " + OrganizationTokenFilter.FILTER_COUNTERS_ATTRIBUTE + " attribute on " + name());
        }
        return c;
    }

    void stop() {
        container.stop();
    }

    @Override
    public String toString() {
        return container.name();
    }
}
