package dev.orgtoken.servlet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContext;
import java.util.EnumSet;
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

    @Override
    public String name() {
        return "jetty";
    }

    @Override
    public void start(FilterSetup setup, Servlet servlet) throws StartFailure {
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
        context.addFilter(filter, setup.urlPattern(), EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder("echo", servlet), "/*");
        server.setHandler(context);
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
