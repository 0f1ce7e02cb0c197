package dev.orgtoken.servlet;

import static dev.orgtoken.servlet.Problems.NO_TOKEN;
import static dev.orgtoken.servlet.Problems.assertProblem;
import static dev.orgtoken.servlet.TestRules.ORG_API;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.testkit.LogtoTestIssuer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@code web.xml} way: the container instantiates the filter through its no-arg constructor
 * and the {@code config} init-param names the rules file; {@code ${LOGTO_ENDPOINT}} comes from a
 * system property. Each case needs its own context, so this class starts a container per case.
 *
 * <p>A rules file with an error stops the web application from starting, and the message names
 * the file, line and column. How each container makes that known:
 * <ul>
 *   <li>Jetty: {@code server.start()} throws the filter's {@code ServletException}
 *       ("OrganizationTokenFilter: /WEB-INF/orgtoken.yaml:12:5: unknown key 'scope' ...");</li>
 *   <li>Tomcat: {@code tomcat.start()} returns normally; the context is left in state
 *       {@code STOPPED} (it went through {@code FAILED}) and the exception is only logged, at
 *       SEVERE, as "Exception starting filter [orgtoken]" with the filter's exception attached.</li>
 * </ul>
 */
class WebXmlConfigTest {
    private static final String BROKEN_RULE = """
            logto:
              endpoint: ${LOGTO_ENDPOINT}
            audience: https://api.example.com/org
            unmatched: deny
            rules:
              - path: /health
                public: true
              - path: /api/me
                scope: [read:profile]
            """;

    private static LogtoTestIssuer issuer;
    private static String previousEndpoint;

    @TempDir
    static Path docBase;
    @TempDir
    static Path brokenDocBase;

    @BeforeAll
    static void start() throws IOException {
        issuer = LogtoTestIssuer.start();
        previousEndpoint = System.setProperty("LOGTO_ENDPOINT", issuer.endpoint().toString());
        Files.createDirectories(docBase.resolve("WEB-INF"));
        Files.writeString(docBase.resolve("WEB-INF/orgtoken.yaml"), TestRules.text(), StandardCharsets.UTF_8);
        Files.createDirectories(brokenDocBase.resolve("WEB-INF"));
        Files.writeString(brokenDocBase.resolve("WEB-INF/orgtoken.yaml"), BROKEN_RULE, StandardCharsets.UTF_8);
    }

    @AfterAll
    static void stop() {
        if (previousEndpoint == null) {
            System.clearProperty("LOGTO_ENDPOINT");
        } else {
            System.setProperty("LOGTO_ENDPOINT", previousEndpoint);
        }
        if (issuer != null) {
            issuer.close();
        }
    }

    static Stream<Arguments> locations() {
        return Container.kinds().stream().flatMap(kind -> Stream.of(
                "/WEB-INF/orgtoken.yaml",
                "classpath:" + TestRules.RESOURCE,
                "file:" + docBase.resolve("WEB-INF/orgtoken.yaml").toAbsolutePath())
                .map(location -> Arguments.of(kind.get().name(), kind, location)));
    }

    @ParameterizedTest(name = "{0}: config={2}")
    @MethodSource("locations")
    void filterFromInitParam(String name, Supplier<Container> kind, String location) throws Exception {
        Deployment d = Deployment.start(kind, Container.FilterSetup.webXml(location, docBase));
        try {
            assertProblem(Answer.of(d.request().get("/api/me")), 401, NO_TOKEN, "a bearer token is required");
            d.request().get("/health").then().statusCode(200);
            String token = issuer.globalApiToken("user-1", ORG_API).sign();
            d.request().header("Authorization", "Bearer " + token).get("/api/me").then().statusCode(200);
            assertEquals("user-1", d.app().last().principal());
            assertEquals(1, d.counters().acceptedCount(), "the filter publishes the counters of the verifier it owns");
        } finally {
            d.stop();
        }
    }

    static Stream<Arguments> brokenLocations() {
        return Container.kinds().stream().flatMap(kind -> Stream.of(
                Arguments.of(kind.get().name(), kind, "/WEB-INF/orgtoken.yaml", "/WEB-INF/orgtoken.yaml"),
                Arguments.of(kind.get().name(), kind,
                        "file:" + brokenDocBase.resolve("WEB-INF/orgtoken.yaml").toAbsolutePath(),
                        brokenDocBase.resolve("WEB-INF/orgtoken.yaml").toAbsolutePath().toString())));
    }

    @ParameterizedTest(name = "{0}: config={2}")
    @MethodSource("brokenLocations")
    void rulesFileWithUnknownKeyStopsTheApplication(String name, Supplier<Container> kind, String location,
            String fileName) {
        Container.StartFailure failure = assertThrows(Container.StartFailure.class,
                () -> Deployment.start(kind, Container.FilterSetup.webXml(location, brokenDocBase)));
        System.out.println(name + " " + location + ": " + failure.report() + "\n" + failure.getMessage());
        String message = failure.getMessage();
        assertTrue(message.contains(fileName + ":9:5: unknown key 'scope'"), message);
        assertTrue(message.contains("did you mean 'scopes'?"), message);
        if (name.equals("jetty")) {
            assertTrue(failure.report().startsWith("server.start() threw"), failure.report());
        } else {
            assertTrue(failure.report().matches("tomcat.start\\(\\) returned, context state (FAILED|STOPPED).*"),
                    failure.report());
            assertTrue(message.contains("Exception starting filter [orgtoken]"), message);
        }
    }

    @ParameterizedTest(name = "{0}: config={2}")
    @MethodSource("locations")
    void missingRulesFileStopsTheApplication(String name, Supplier<Container> kind, String location) {
        String missing = location.replace("orgtoken.yaml", "missing.yaml").replace("rules.yaml", "missing.yaml");
        Container.StartFailure failure = assertThrows(Container.StartFailure.class,
                () -> Deployment.start(kind, Container.FilterSetup.webXml(missing, docBase)));
        assertTrue(failure.getMessage().contains("rules file " + missing + " not found"), failure.getMessage());
    }
}
