package dev.orgtoken.sample;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.testkit.ClientRegistration;
import dev.orgtoken.testkit.LogtoTestIssuer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 finding 5: the built WAR, deployed as a WAR on an embedded Tomcat 10.1 (its own class
 * loader, its own {@code WEB-INF/lib}), logs through the container's logging: orgtoken's lines
 * arrive in {@code java.util.logging}, which is what Tomcat's JULI is. A WAR without an SLF4J
 * provider prints "No SLF4J providers were found" and loses them.
 */
class WarOnTomcatIT {
    private static final Logger ORGTOKEN_LOGGER = Logger.getLogger("dev.orgtoken");
    private static final List<LogRecord> RECORDS = new CopyOnWriteArrayList<>();
    private static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord record) {
            RECORDS.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    private static LogtoTestIssuer tenant;
    private static Tomcat tomcat;
    private static Path baseDir;
    private static String baseUri;

    @BeforeAll
    static void deploy() throws Exception {
        tenant = LogtoTestIssuer.start();
        ClientRegistration server = tenant.registerClient("war-server", "war-secret")
                .grant(tenant.managementApiResource(), "all");
        tenant.createOrganizationWithId("org-war", "War");
        tenant.addOrganizationUser("org-war", "dana", "admin");
        // The WAR reads its settings from system properties or the environment; this JVM is the container.
        System.setProperty("LOGTO_ENDPOINT", tenant.endpoint().toString());
        System.setProperty("LOGTO_M2M_APP_ID", server.clientId());
        System.setProperty("LOGTO_M2M_APP_SECRET", server.clientSecret());
        ORGTOKEN_LOGGER.setLevel(Level.INFO);
        ORGTOKEN_LOGGER.addHandler(CAPTURE);

        baseDir = Files.createTempDirectory("orgtoken-war-tomcat");
        Files.createDirectories(baseDir.resolve("webapps"));
        tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        if (System.getProperty("catalina.home") == null) {
            System.setProperty("catalina.home", baseDir.toString());
        }
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.getService().addConnector(connector);
        tomcat.setConnector(connector);
        // The WAR's web.xml only: no default servlet or JSP servlet (tomcat-embed-core has no Jasper).
        tomcat.setAddDefaultWebXmlToWebapp(false);
        Context context = tomcat.addWebapp("", war().toAbsolutePath().toString());
        tomcat.start();
        assertEquals(LifecycleState.STARTED, context.getState(), "the WAR did not start");
        baseUri = "http://127.0.0.1:" + connector.getLocalPort();
    }

    @AfterAll
    static void undeploy() throws Exception {
        if (tomcat != null) {
            tomcat.stop();
            tomcat.destroy();
        }
        ORGTOKEN_LOGGER.removeHandler(CAPTURE);
        for (String name : List.of("LOGTO_ENDPOINT", "LOGTO_M2M_APP_ID", "LOGTO_M2M_APP_SECRET")) {
            System.clearProperty(name);
        }
        tenant.close();
        if (baseDir != null) {
            try (Stream<Path> files = Files.walk(baseDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The WAR the package phase built, as a user would copy it to {@code webapps/}. */
    private static Path war() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            return files.filter(p -> p.getFileName().toString().matches("orgtoken-sample-webapp-.*\\.war"))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no WAR in target/: package first"));
        }
    }

    @Test
    void theWarShipsAProviderForTheContainersLogging() throws Exception {
        try (var zip = new java.util.zip.ZipFile(war().toFile())) {
            List<String> libs = zip.stream().map(e -> e.getName()).filter(n -> n.startsWith("WEB-INF/lib/")).toList();
            assertTrue(libs.stream().anyMatch(n -> n.startsWith("WEB-INF/lib/slf4j-jdk14-")), libs.toString());
            assertFalse(libs.stream().anyMatch(n -> n.contains("slf4j-simple") || n.contains("jetty")), libs.toString());
        }
    }

    @Test
    void orgtokensLinesArriveInJavaUtilLogging() {
        assertTrue(RECORDS.stream().anyMatch(r -> r.getLoggerName().equals("dev.orgtoken.servlet.OrganizationTokenFilter")
                && r.getLevel() == Level.INFO && r.getMessage().startsWith("OrganizationTokenFilter ready")),
                "the filter's start-up line, through slf4j-jdk14: " + messages());
        assertTrue(RECORDS.stream().anyMatch(r -> r.getLoggerName().equals("dev.orgtoken.sample.SampleContextListener")
                && r.getMessage().startsWith("Management API: ")), messages());
    }

    @Test
    void theDeployedWarServesAndCallsTheManagementApi() {
        given().baseUri(baseUri).get("/health").then().statusCode(200).body("status", equalTo("ok"));
        String reader = tenant.organizationResourceToken("dana", "https://api.example.com/org", "org-war",
                "read:members").sign();
        given().baseUri(baseUri).auth().oauth2(reader).get("/api/organizations/org-war/members")
                .then().statusCode(200).body("members.id", equalTo(List.of("dana")));
    }

    private static String messages() {
        return RECORDS.stream().map(r -> r.getLoggerName() + ": " + r.getMessage()).toList().toString();
    }
}
