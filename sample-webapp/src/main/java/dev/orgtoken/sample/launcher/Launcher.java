package dev.orgtoken.sample.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.resource.Resource;
import org.eclipse.jetty.util.resource.ResourceFactory;

/**
 * Runs the sample WAR layout (bundled in this jar under {@code /webapp}) on embedded Jetty 12.
 *
 * <pre>java -jar sample-webapp/target/sample-webapp.jar [--port 8080] [--host 127.0.0.1] [--rules FILE]</pre>
 *
 * With {@code LOGTO_ENDPOINT} set, the app trusts that tenant. Without it, dev mode: a local
 * Logto-compatible issuer on loopback, and curl commands with fresh tokens on standard output.
 */
public final class Launcher {
    /** Held here: JUL keeps loggers weakly, and a collected logger would forget its level. */
    private static Logger jettyLogger;

    private Launcher() {}

    /**
     * @param args {@code --port N}, {@code --host H}, {@code --rules FILE}
     * @throws Exception when the server cannot start
     */
    public static void main(String[] args) throws Exception {
        configureLogging();
        int port = 8080;
        String host = "127.0.0.1";
        Path rules = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(value(args, ++i, "--port"));
                case "--host" -> host = value(args, ++i, "--host");
                case "--rules" -> rules = Path.of(value(args, ++i, "--rules"));
                case "--help", "-h" -> {
                    System.out.println("usage: java -jar sample-webapp.jar [--port 8080] [--host 127.0.0.1] [--rules FILE]");
                    return;
                }
                default -> fail("unknown argument '" + args[i] + "' (try --help)");
            }
        }
        if (rules != null && !Files.isRegularFile(rules)) {
            fail("--rules " + rules + ": no such file");
        }
        DevIssuer dev = null;
        if (System.getenv("LOGTO_ENDPOINT") == null && System.getProperty("LOGTO_ENDPOINT") == null) {
            dev = new DevIssuer();
            dev.exportSettings();
        }
        Server server = start(host, port, rules);
        int actualPort = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        String base = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + actualPort;
        PrintStream out = System.out;
        if (dev != null) {
            dev.printWalkthrough(out, base);
        }
        out.println("orgtoken sample started on " + base);
        out.flush();
        DevIssuer toClose = dev;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.stop();
            } catch (Exception ignored) {
                // shutting down anyway
            }
            if (toClose != null) {
                toClose.close();
            }
        }));
        server.join();
    }

    /**
     * The sample logs through SLF4J to java.util.logging (slf4j-jdk14, as in the WAR). Unless the
     * user gave a JUL configuration of their own, print one line per record and keep Jetty's own
     * INFO chatter out of the walkthrough.
     */
    private static void configureLogging() {
        if (System.getProperty("java.util.logging.config.file") != null
                || System.getProperty("java.util.logging.config.class") != null) {
            return;
        }
        // Read by SimpleFormatter when it is first loaded, so set before the first log record.
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT.%1$tL %4$s %3$s - %5$s%6$s%n");
        jettyLogger = Logger.getLogger("org.eclipse.jetty");
        jettyLogger.setLevel(Level.WARNING);
    }

    static Server start(String host, int port, Path rules) throws Exception {
        Server server = new Server(new InetSocketAddress(host, port));
        WebAppContext webapp = new WebAppContext();
        webapp.setContextPath("/");
        ResourceFactory resources = ResourceFactory.of(webapp);
        Resource bundled = bundledWebapp(resources);
        if (bundled == null) {
            throw new IllegalStateException("the webapp layout is missing from the launcher jar");
        }
        List<Resource> layers = new ArrayList<>();
        if (rules != null) {
            layers.add(resources.newResource(overlay(rules)));   // --rules replaces WEB-INF/orgtoken.yaml
        }
        layers.add(bundled);
        webapp.setBaseResource(layers.size() == 1 ? bundled : ResourceFactory.combine(layers));
        // The classes are on the launcher's class path already; load them from there.
        webapp.setParentLoaderPriority(true);
        webapp.setThrowUnavailableOnStartupException(true);
        server.setHandler(webapp);
        server.setStopAtShutdown(false);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            fail("could not start: " + root.getMessage());
        }
        return server;
    }

    /**
     * The {@code /webapp} folder of this jar, named in the canonical {@code jar:file:///...!/webapp}
     * form (another spelling makes Jetty treat the base resource as an alias and check every request
     * against it). Outside a jar (an IDE run), the class-path resource.
     */
    private static Resource bundledWebapp(ResourceFactory resources) throws Exception {
        Path codeSource = Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (Files.isRegularFile(codeSource)) {
            return resources.newResource(java.net.URI.create("jar:" + codeSource.toUri() + "!/webapp"));
        }
        return resources.newClassLoaderResource("webapp");
    }

    private static Path overlay(Path rules) throws IOException {
        Path dir = Files.createTempDirectory("orgtoken-sample-rules");
        Path webInf = Files.createDirectories(dir.resolve("WEB-INF"));
        Files.copy(rules, webInf.resolve("orgtoken.yaml"));
        dir.toFile().deleteOnExit();
        webInf.toFile().deleteOnExit();
        webInf.resolve("orgtoken.yaml").toFile().deleteOnExit();
        return dir;
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            fail(flag + " needs a value");
        }
        return args[i];
    }

    private static void fail(String message) {
        System.err.println("orgtoken sample: " + message);
        System.exit(2);
    }
}
