package dev.orgtoken.servlet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContext;
import java.net.URI;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * An embedded servlet container with one web application at the root context: the filter under
 * test mapped to {@code /*} (or {@link FilterSetup#urlPattern()}) for REQUEST dispatches, and one
 * servlet mapped to {@code /*} (or, with a {@link Layout}, several servlets, error pages and more
 * dispatcher types). Listens on 127.0.0.1, on a random port, with the container's default settings.
 */
interface Container extends AutoCloseable {

    /** Both containers, not started, Jetty first. */
    static List<Supplier<Container>> kinds() {
        return List.of(JettyContainer::new, TomcatContainer::new);
    }

    /** @return "jetty" or "tomcat" (the parameterized test's display name) */
    String name();

    /**
     * Starts the container with one context.
     *
     * @param filter how the filter is declared
     * @param servlet the application
     * @throws StartFailure when the context (or the filter in it) did not start; the container is
     *     stopped again before this is thrown
     */
    default void start(FilterSetup filter, Servlet servlet) throws StartFailure {
        start(filter, Layout.single(servlet));
    }

    /**
     * Starts the container with one context laid out as {@code layout} says.
     *
     * @param filter how the filter is declared
     * @param layout the servlets, error pages and the dispatches the filter is mapped for
     * @throws StartFailure as {@link #start(FilterSetup, Servlet)}
     */
    void start(FilterSetup filter, Layout layout) throws StartFailure;

    /** @return {@code http://127.0.0.1:<port>} */
    default URI baseUri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    /** @return the local port */
    int port();

    /** @return the web application's servlet context */
    ServletContext servletContext();

    /** Stops the container; idempotent. */
    void stop();

    @Override
    default void close() {
        stop();
    }

    /**
     * How the filter is declared: a ready instance (programmatic registration), or its class with
     * init-params, instantiated by the container through the no-arg constructor, as {@code web.xml}
     * would.
     *
     * @param instance the filter, or null to let the container instantiate {@link OrganizationTokenFilter}
     * @param initParams init-params (for a container-instantiated filter)
     * @param docBase the web application's resource directory (containing {@code WEB-INF/}), or null
     * @param urlPattern the filter's {@code <url-pattern>} ({@code /*} unless {@link #mappedTo} says otherwise);
     *     the servlet stays on {@code /*}
     */
    record FilterSetup(Filter instance, Map<String, String> initParams, Path docBase, String urlPattern) {
        static final String FILTER_NAME = "orgtoken";

        public FilterSetup {
            initParams = Map.copyOf(initParams);
            Objects.requireNonNull(urlPattern, "urlPattern");
        }

        FilterSetup(Filter instance, Map<String, String> initParams, Path docBase) {
            this(instance, initParams, docBase, "/*");
        }

        /** The same set-up with the filter mapped to another URL pattern, e.g. {@code /api/*}. */
        FilterSetup mappedTo(String pattern) {
            return new FilterSetup(instance, initParams, docBase, pattern);
        }

        static FilterSetup instance(Filter filter) {
            return new FilterSetup(Objects.requireNonNull(filter), Map.of(), null);
        }

        /** Like {@code <filter-class>} with {@code <init-param>config</init-param>}. */
        static FilterSetup webXml(String config, Path docBase) {
            Map<String, String> params = new LinkedHashMap<>();
            params.put(OrganizationTokenFilter.CONFIG_PARAMETER, config);
            return new FilterSetup(null, params, docBase);
        }
    }

    /**
     * What a web application holds besides the filter.
     *
     * @param servlets the servlets, each with its {@code <url-pattern>}s
     * @param errorPages {@code <error-page>}s: status code to location
     * @param filterDispatches the {@code <dispatcher>}s of the filter mapping
     * @param asyncSupported whether the filter and every servlet are {@code async-supported}
     * @param appFilters the application's own filters (a CORS filter, say), each mapped before or
     *     after the token filter, in order
     */
    record Layout(List<ServletMapping> servlets, Map<Integer, String> errorPages, Set<DispatcherType> filterDispatches,
            boolean asyncSupported, List<AppFilter> appFilters) {
        public Layout {
            servlets = List.copyOf(servlets);
            errorPages = Map.copyOf(errorPages);
            filterDispatches = Set.copyOf(filterDispatches);
            appFilters = List.copyOf(appFilters);
        }

        Layout(List<ServletMapping> servlets, Map<Integer, String> errorPages, Set<DispatcherType> filterDispatches,
                boolean asyncSupported) {
            this(servlets, errorPages, filterDispatches, asyncSupported, List.of());
        }

        /** The same layout with an application filter added. */
        Layout with(AppFilter filter) {
            List<AppFilter> more = new java.util.ArrayList<>(appFilters);
            more.add(filter);
            return new Layout(servlets, errorPages, filterDispatches, asyncSupported, more);
        }

        /** One servlet at {@code /*}, the filter for REQUEST dispatches only. */
        static Layout single(Servlet servlet) {
            return new Layout(List.of(new ServletMapping("echo", servlet, List.of("/*"))), Map.of(),
                    EnumSet.of(DispatcherType.REQUEST), false);
        }
    }

    /**
     * An application filter mapped to {@code /*} for REQUEST dispatches.
     *
     * @param beforeTokenFilter mapped before the token filter (it sees requests first), else after
     */
    record AppFilter(String name, jakarta.servlet.Filter filter, Map<String, String> initParams,
            boolean beforeTokenFilter) {
        public AppFilter {
            initParams = Map.copyOf(initParams);
        }
    }

    /** A servlet and its {@code <url-pattern>}s. */
    record ServletMapping(String name, Servlet servlet, List<String> urlPatterns) {
        public ServletMapping {
            urlPatterns = List.copyOf(urlPatterns);
        }
    }

    /**
     * The web application did not start. {@link #report()} says how the container made that known,
     * {@link #getMessage()} collects every message it gave (exception chain, logged errors).
     */
    final class StartFailure extends Exception {
        private static final long serialVersionUID = 1L;
        private final String report;

        StartFailure(String report, String messages, Throwable cause) {
            super(messages, cause);
            this.report = report;
        }

        /** @return e.g. "server.start() threw ..." or "context state FAILED, error logged" */
        String report() {
            return report;
        }
    }
}
