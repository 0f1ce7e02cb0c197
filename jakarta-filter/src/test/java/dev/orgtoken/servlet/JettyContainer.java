package dev.orgtoken.servlet;

import jakarta.servlet.ServletContext;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.ErrorPageErrorHandler;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** Jetty 12, ee10 {@link ServletContextHandler}, default HTTP and URI compliance. */
final class JettyContainer implements Container {
    private Server server;
    private ServerConnector connector;
    private ServletContextHandler context;
    /** Wraps the context in handlers of the test's choosing (Jetty's {@code CrossOriginHandler}, say). */
    private java.util.function.UnaryOperator<org.eclipse.jetty.server.Handler> wrap = h -> h;

    /** The container with the context wrapped in front by {@code wrapper} (call before starting). */
    JettyContainer wrappedIn(java.util.function.UnaryOperator<org.eclipse.jetty.server.Handler> wrapper) {
        this.wrap = wrapper;
        return this;
    }

    @Override
    public String name() {
        return "jetty";
    }

    @Override
    public void start(FilterSetup setup, Layout layout) throws StartFailure {
        server = new Server();
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);

        context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
        context.setContextPath("/");
        if (setup.docBase() != null) {
            context.setBaseResourceAsPath(setup.docBase());
        }
        FilterHolder filter = setup.instance() != null
                ? new FilterHolder(setup.instance())
                : new FilterHolder(OrganizationTokenFilter.class);
        filter.setName(FilterSetup.FILTER_NAME);
        setup.initParams().forEach(filter::setInitParameter);
        filter.setAsyncSupported(layout.asyncSupported());
        for (AppFilter app : layout.appFilters()) {
            if (app.beforeTokenFilter()) {
                addAppFilter(app);
            }
        }
        context.addFilter(filter, setup.urlPattern(), EnumSet.copyOf(layout.filterDispatches()));
        for (AppFilter app : layout.appFilters()) {
            if (!app.beforeTokenFilter()) {
                addAppFilter(app);
            }
        }
        for (ServletMapping mapping : layout.servlets()) {
            ServletHolder holder = new ServletHolder(mapping.name(), mapping.servlet());
            holder.setAsyncSupported(layout.asyncSupported());
            mapping.urlPatterns().forEach(pattern -> context.addServlet(holder, pattern));
        }
        if (!layout.errorPages().isEmpty()) {
            ErrorPageErrorHandler errorPages = new ErrorPageErrorHandler();
            layout.errorPages().forEach(errorPages::addErrorPage);
            context.setErrorHandler(errorPages);
        }
        server.setHandler(wrap.apply(context));
        try {
            server.start();
        } catch (Exception e) {
            stop();
            throw new StartFailure("server.start() threw " + e.getClass().getName(), messages(e), e);
        }
        if (!context.isAvailable()) {
            stop();
            throw new StartFailure("server started, context unavailable", "context unavailable", null);
        }
    }

    private void addAppFilter(AppFilter app) {
        FilterHolder holder = new FilterHolder(app.filter());
        holder.setName(app.name());
        app.initParams().forEach(holder::setInitParameter);
        context.addFilter(holder, "/*", EnumSet.of(jakarta.servlet.DispatcherType.REQUEST));
    }

    private static String messages(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            b.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append('\n');
            for (Throwable s : t.getSuppressed()) {
                b.append("  suppressed ").append(messages(s));
            }
        }
        return b.toString();
    }

    @Override
    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public ServletContext servletContext() {
        return context.getServletContext();
    }

    @Override
    public void stop() {
        if (server != null) {
            try {
                server.stop();
            } catch (Exception e) {
                throw new IllegalStateException("jetty did not stop", e);
            } finally {
                server = null;
            }
        }
    }

    @Override
    public String toString() {
        return name();
    }
}
