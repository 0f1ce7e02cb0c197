package dev.orgtoken.servlet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.ErrorPage;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

/**
 * Tomcat 10.1 embedded: {@code addContext}, {@code FilterDef}/{@code FilterMap}, {@code ErrorPage},
 * default connector options.
 */
final class TomcatContainer implements Container {
    private Tomcat tomcat;
    private Connector connector;
    private Context context;
    private Path baseDir;
    private Path emptyDocBase;

    @Override
    public String name() {
        return "tomcat";
    }

    @Override
    public void start(FilterSetup setup, Layout layout) throws StartFailure {
        try {
            baseDir = Files.createTempDirectory("orgtoken-tomcat");
            Files.createDirectories(baseDir.resolve("webapps"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        // Tomcat sets catalina.home once per JVM (to the first base directory) and re-creates it on
        // each start: point it at one shared, empty directory that goes away with the JVM.
        if (System.getProperty("catalina.home") == null) {
            System.setProperty("catalina.home", sharedHome());
        }
        connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.getService().addConnector(connector);
        tomcat.setConnector(connector);

        Path docBase = setup.docBase();
        if (docBase == null) {
            try {
                emptyDocBase = Files.createDirectories(baseDir.resolve("docbase"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            docBase = emptyDocBase;
        }
        context = tomcat.addContext("", docBase.toAbsolutePath().toString());

        FilterDef def = new FilterDef();
        def.setFilterName(FilterSetup.FILTER_NAME);
        if (setup.instance() != null) {
            def.setFilter(setup.instance());
            def.setFilterClass(setup.instance().getClass().getName());
        } else {
            def.setFilterClass(OrganizationTokenFilter.class.getName());
        }
        setup.initParams().forEach(def::addInitParameter);
        def.setAsyncSupported(Boolean.toString(layout.asyncSupported()));
        context.addFilterDef(def);
        for (AppFilter app : layout.appFilters()) {
            if (app.beforeTokenFilter()) {
                addAppFilter(app);
            }
        }
        FilterMap map = new FilterMap();
        map.setFilterName(FilterSetup.FILTER_NAME);
        map.addURLPatternDecoded(setup.urlPattern());
        for (DispatcherType type : layout.filterDispatches()) {
            map.setDispatcher(type.name());
        }
        context.addFilterMap(map);
        for (AppFilter app : layout.appFilters()) {
            if (!app.beforeTokenFilter()) {
                addAppFilter(app);
            }
        }

        for (ServletMapping mapping : layout.servlets()) {
            Wrapper wrapper = Tomcat.addServlet(context, mapping.name(), mapping.servlet());
            wrapper.setAsyncSupported(layout.asyncSupported());
            mapping.urlPatterns().forEach(pattern -> context.addServletMappingDecoded(pattern, mapping.name()));
        }
        layout.errorPages().forEach((status, location) -> {
            ErrorPage page = new ErrorPage();
            page.setErrorCode(status);
            page.setLocation(location);
            context.addErrorPage(page);
        });

        // Tomcat logs a filter's init failure (through JULI, i.e. java.util.logging) and marks the
        // context failed; tomcat.start() itself does not throw. Capture what it logs.
        List<LogRecord> errors = new ArrayList<>();
        Logger catalina = Logger.getLogger("org.apache.catalina");
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
                    synchronized (errors) {
                        errors.add(record);
                    }
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        catalina.addHandler(capture);
        try {
            tomcat.start();
        } catch (LifecycleException e) {
            stop();
            throw new StartFailure("tomcat.start() threw " + e, e.toString(), e);
        } finally {
            catalina.removeHandler(capture);
        }
        LifecycleState state = context.getState();
        if (state != LifecycleState.STARTED) {
            StringBuilder messages = new StringBuilder();
            synchronized (errors) {
                for (LogRecord r : errors) {
                    messages.append(r.getMessage()).append('\n');
                    for (Throwable t = r.getThrown(); t != null; t = t.getCause()) {
                        messages.append("  ").append(t.getClass().getSimpleName()).append(": ")
                                .append(t.getMessage()).append('\n');
                    }
                }
            }
            stop();
            throw new StartFailure("tomcat.start() returned, context state " + state + ", " + errors.size()
                    + " SEVERE log record(s)", messages.toString(), null);
        }
    }

    /** Filter maps apply in the order added: REQUEST dispatches, {@code /*}. */
    private void addAppFilter(AppFilter app) {
        FilterDef def = new FilterDef();
        def.setFilterName(app.name());
        def.setFilter(app.filter());
        def.setFilterClass(app.filter().getClass().getName());
        app.initParams().forEach(def::addInitParameter);
        context.addFilterDef(def);
        FilterMap map = new FilterMap();
        map.setFilterName(app.name());
        map.addURLPatternDecoded("/*");
        map.setDispatcher(DispatcherType.REQUEST.name());
        context.addFilterMap(map);
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
        if (tomcat == null) {
            return;
        }
        try {
            tomcat.stop();
            tomcat.destroy();
        } catch (LifecycleException e) {
            throw new IllegalStateException("tomcat did not stop", e);
        } finally {
            tomcat = null;
            deleteQuietly(baseDir);
        }
    }

    private static synchronized String sharedHome() {
        try {
            Path home = Files.createTempDirectory("orgtoken-tomcat-home");
            home.toFile().deleteOnExit();
            return home.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path dir) {
        // Twice: Tomcat may still be removing its work files during the first pass.
        for (int attempt = 0; attempt < 2 && dir != null && Files.exists(dir); attempt++) {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException | java.io.UncheckedIOException e) {
                // a temporary directory; try again
            }
        }
    }

    @Override
    public String toString() {
        return name();
    }
}
