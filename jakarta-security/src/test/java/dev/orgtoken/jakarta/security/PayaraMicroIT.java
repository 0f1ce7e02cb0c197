package dev.orgtoken.jakarta.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.orgtoken.testkit.LogtoTestIssuer;
import dev.orgtoken.testkit.junit.LogtoIssuerExtension;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The mechanism on a real full-profile server: Payara Micro 6 (Jakarta EE 10) started as its own
 * process with bounded memory, running a WAR with an EJB, a CDI bean and a Jakarta REST resource
 * (built here from the test classes and the module's jars), over HTTP, against the testkit issuer.
 * The WAR's rules file says {@code endpoint: ${LOGTO_ENDPOINT}}; the server JVM gets it as a system
 * property.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PayaraMicroIT {
    private static final String API = "https://api.example.com/org";
    private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(4);
    private static final String MAX_HEAP = "-Xmx384m";
    /** Jars the WAR carries in WEB-INF/lib: this module, core, the filter and their run-time dependencies. */
    private static final List<String> WAR_LIBRARIES = List.of("orgtoken-core-", "orgtoken-jakarta-filter-",
            "orgtoken-jakarta-security-", "jose4j-", "caffeine-", "snakeyaml-engine-", "slf4j-api-", "slf4j-jdk14-");

    @RegisterExtension
    static LogtoIssuerExtension logto = LogtoIssuerExtension.perClass();

    private static Process payara;
    private static Path log;
    private static String base;

    @BeforeAll
    static void startPayaraMicro() throws Exception {
        Path work = Path.of(System.getProperty("it.work", "target/it"));
        // A fresh root directory each run: Payara Micro keeps deployments and configuration in it
        // and would otherwise redeploy the last run's applications beside this run's.
        deleteRecursively(work.resolve("payara-root"));
        Files.createDirectories(work);
        Path war = buildWar(work.resolve("orgtoken-it.war"), "webapp");
        Path broken = buildWar(work.resolve("broken.war"), "broken-webapp");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        log = work.resolve("payara.log");
        // Listen on loopback only (Payara Micro binds every interface by default).
        Path preboot = Files.writeString(work.resolve("preboot.asadmin"),
                "set configs.config.server-config.network-config.network-listeners.network-listener.http-listener.address=127.0.0.1\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, MAX_HEAP, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-DLOGTO_ENDPOINT=" + logto.endpoint(),
                "-jar", System.getProperty("payara.micro.jar", "target/payara/payara-micro.jar"),
                "--nocluster", "--nohazelcast", "--disablephonehome", "--nohostaware",
                "--rootdir", work.resolve("payara-root").toString(),
                "--prebootcommandfile", preboot.toString(),
                "--port", Integer.toString(port), "--contextroot", "app", "--deploy", war.toString(), "--deploy", broken.toString());
        long started = System.nanoTime();
        payara = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        base = "http://127.0.0.1:" + port + "/app";
        awaitHealth(started);
        System.out.printf("Payara Micro started and deployed in %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private static void awaitHealth(long started) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = started + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!payara.isAlive()) {
                fail("Payara Micro exited with " + payara.exitValue() + ":\n" + tail());
            }
            try {
                HttpResponse<Void> health = http.send(HttpRequest.newBuilder(URI.create(base + "/health"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
                if (health.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        fail("Payara Micro did not serve /app/health within " + STARTUP_TIMEOUT + ":\n" + tail());
    }

    @AfterAll
    static void stopPayaraMicro() throws Exception {
        if (payara != null) {
            Files.readAllLines(Path.of("/proc/" + payara.pid() + "/status")).stream()
                    .filter(line -> line.startsWith("VmHWM") || line.startsWith("VmRSS"))
                    .forEach(line -> System.out.println("Payara Micro " + line.replaceAll("\\s+", " ")));
            payara.destroy();
            if (!payara.waitFor(30, TimeUnit.SECONDS)) {
                payara.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static String tail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    /** The test WAR: the app's classes, its WEB-INF files, and the libraries as a user's WAR would have them. */
    private static Path buildWar(Path war, String webappDirectory) throws IOException {
        Path testClasses = Path.of("target/test-classes");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(war))) {
            Path webapp = testClasses.resolve(webappDirectory);
            try (Stream<Path> files = Files.walk(webapp)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    add(zip, webapp.relativize(file).toString().replace(File.separatorChar, '/'), Files.readAllBytes(file));
                }
            }
            Path app = testClasses.resolve("dev/orgtoken/jakarta/security/app");
            try (Stream<Path> files = Files.walk(app)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    add(zip, "WEB-INF/classes/" + testClasses.relativize(file).toString().replace(File.separatorChar, '/'),
                            Files.readAllBytes(file));
                }
            }
            List<String> found = new ArrayList<>();
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                Path path = Path.of(entry);
                String name = path.getFileName().toString();
                if (path.endsWith(Path.of("target", "classes")) && Files.isDirectory(path)) {
                    add(zip, "WEB-INF/lib/orgtoken-jakarta-security.jar", jar(path));
                    found.add("orgtoken-jakarta-security-");
                } else if (name.endsWith(".jar") && WAR_LIBRARIES.stream().anyMatch(name::startsWith)) {
                    add(zip, "WEB-INF/lib/" + name, Files.readAllBytes(path));
                    WAR_LIBRARIES.stream().filter(name::startsWith).forEach(found::add);
                }
            }
            assertTrue(found.containsAll(WAR_LIBRARIES), "WAR libraries found: " + found);
        }
        return war;
    }

    private static byte[] jar(Path classes) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (ZipOutputStream jar = new ZipOutputStream(bytes); Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                add(jar, classes.relativize(file).toString().replace(File.separatorChar, '/'), Files.readAllBytes(file));
            }
        }
        return bytes.toByteArray();
    }

    private static void add(ZipOutputStream zip, String name, byte[] content) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        OutputStream out = zip;
        out.write(content);
        zip.closeEntry();
    }

    private static String member(LogtoTestIssuer issuer) {
        return issuer.organizationResourceToken("user-1", API, "o1", "read:members").sign();
    }

    @Test
    @Order(1)
    void keysUnavailableIs503(LogtoTestIssuer issuer) throws Exception {
        issuer.respondWithStatus(503);
        try {
            given().auth().oauth2(member(issuer)).get(base + "/api/organizations/o1/members")
                    .then().statusCode(503).header("Retry-After", equalTo("1"));
        } finally {
            issuer.respondNormally();
        }
        // The cooldown after the failed fetch is one second: wait for keys, bounded, not for a fixed time.
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (given().auth().oauth2(member(issuer)).get(base + "/api/organizations/o1/members").statusCode() == 503
                && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
    }

    @Test
    @Order(2)
    void aMemberWithTheScopeIsTheCallerForRestCdiAndEjb(LogtoTestIssuer issuer) {
        given().auth().oauth2(member(issuer)).get(base + "/api/organizations/o1/members")
                .then().statusCode(200)
                .body("restPrincipal", equalTo("user-1"))
                .body("restInRole", equalTo(true))
                .body("cdiCaller", equalTo("user-1"))
                .body("cdiInRole", equalTo(true))
                .body("organization", equalTo("o1"))
                .body("ejb", equalTo("members of o1 for user-1"));
    }

    @Test
    @Order(3)
    void refusalsAreTheFiltersAnswers(LogtoTestIssuer issuer) throws IOException, InterruptedException {
        given().get(base + "/api/organizations/o1/members")
                .then().statusCode(401)
                .header("WWW-Authenticate", equalTo("Bearer realm=\"api\""))
                .contentType("application/problem+json");
        String o1Member = member(issuer);
        given().auth().oauth2(o1Member).get(base + "/api/organizations/o2/members")
                .then().statusCode(403)
                .header("WWW-Authenticate", containsString("error=\"insufficient_scope\""));
        given().auth().oauth2(issuer.organizationResourceToken("user-1", API, "o1").sign())
                .get(base + "/api/organizations/o1/members")
                .then().statusCode(403)
                .header("WWW-Authenticate", containsString("scope=\"read:members\""));
        given().auth().oauth2("not.a.token").get(base + "/api/organizations/o1/members")
                .then().statusCode(401)
                .header("WWW-Authenticate", containsString("error=\"invalid_token\""));
        given().auth().oauth2(member(issuer)).delete(base + "/api/organizations/o1/members")
                .then().statusCode(405).header("Allow", "GET, HEAD");
        given().auth().oauth2(member(issuer)).get(base + "/api/elsewhere").then().statusCode(403);

        // The rules file's audit listener heard the mechanism's decisions (decideAndAudit), as it
        // hears the filter's: the 403 above is in Payara's log, and the token is not.
        String auditLine = "refuse 403 WRONG_ORGANIZATION GET /api/organizations/o2/members";
        for (int i = 0; i < 100 && !Files.readString(log).contains(auditLine); i++) {
            Thread.sleep(100);   // the server's log is written by another process
        }
        String written = Files.readString(log);
        String last = tail();
        assertTrue(written.contains(auditLine), () -> "no audit line in:\n" + last);
        assertFalse(written.contains(o1Member.substring(o1Member.lastIndexOf('.') + 1)), "the log never holds the token");
    }

    @Test
    @Order(4)
    void publicPathsEstablishNoCaller() {
        given().get(base + "/health").then().statusCode(200).body(equalTo("up, caller none"));
    }

    /** A rules file with an error stops that application's deployment: it never serves, not even its public paths. */
    @Test
    @Order(6)
    void aBrokenRulesFileStopsTheDeployment() throws IOException {
        given().get(base.replace("/app", "/broken") + "/health").then().statusCode(404);
        assertTrue(Files.readString(log).contains("/WEB-INF/orgtoken.yaml:9:5: unknown key 'scope'"), "the log names file, line and problem");
    }

    @Test
    @Order(5)
    void theRolesClaimReachesRolesAllowedOnTheEjb(LogtoTestIssuer issuer) {
        given().auth().oauth2(issuer.globalApiToken("user-2", API).claim("roles", List.of("admin")).sign())
                .get(base + "/api/admin")
                .then().statusCode(200).body(equalTo("admin user-2"));
        given().auth().oauth2(issuer.globalApiToken("user-3", API).claim("roles", List.of("viewer")).sign())
                .get(base + "/api/admin")
                .then().statusCode(403).body(equalTo("refused by the EJB container"));
    }
}
