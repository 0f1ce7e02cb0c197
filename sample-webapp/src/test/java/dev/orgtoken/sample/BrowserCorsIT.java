package dev.orgtoken.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jose4j.json.JsonUtil;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real browser calls the sample from another origin with a bearer token: headless Chromium loads a
 * page from {@code http://127.0.0.1:<page port>}, whose script {@code fetch}es the sample (dev mode) at
 * {@code http://127.0.0.1:<sample port>}. The browser sends its CORS preflight (an {@code Authorization}
 * header is not CORS-safelisted) without any credentials; the rules file's {@code cors-preflight: pass}
 * lets it through the token filter, the sample's CORS filter and servlet answer it, and the actual
 * request is verified as usual. A refusal (another organization, no token) is readable by the page
 * because the CORS filter is in front. The page reports what it saw to its own server. Against the same
 * sample with {@code cors-preflight: refuse}, the browser never sends the token at all.
 *
 * <p>Needs Chromium ({@code apt-get install chromium} on Debian): found as {@code chromium},
 * {@code chromium-browser} or {@code google-chrome} on the PATH, or the system property
 * {@code chromium.path}. Without it the test is skipped, saying so.
 */
class BrowserCorsIT {
    private static final List<String> CANDIDATES = List.of("chromium", "chromium-browser", "google-chrome");

    @Test
    void aCrossOriginFetchWithABearerTokenGoesThroughTheSample() throws Exception {
        List<Object> results = callFromAnotherOrigin();
        assertTrue(results.get(0).toString().startsWith("200 "), "the member's own call: " + results.get(0));
        assertTrue(results.get(0).toString().contains("\"subject\":\"user-member\""), results.get(0).toString());
        assertTrue(results.get(1).toString().startsWith("403 "), "another organization, readable: " + results.get(1));
        assertTrue(results.get(2).toString().startsWith("401 "), "no token, readable: " + results.get(2));
    }

    /**
     * The same page against the sample with {@code cors-preflight: refuse}: the browser's preflight is
     * refused (405: no rule lists OPTIONS), so the browser never sends the calls with a token and the
     * page sees a network error; the call without a token needs no preflight and still gets its 401.
     */
    @Test
    void withPreflightsRefusedTheBrowserNeverSendsTheToken(@TempDir Path dir) throws Exception {
        Path bundled = Path.of("src", "main", "webapp", "WEB-INF", "orgtoken.yaml");
        String rules = Files.readString(bundled, StandardCharsets.UTF_8);
        assertTrue(rules.contains("cors-preflight: pass"), "the bundled rules pass preflights");
        Path refusing = dir.resolve("orgtoken.yaml");
        Files.writeString(refusing, rules.replace("cors-preflight: pass", "cors-preflight: refuse"), StandardCharsets.UTF_8);
        List<Object> results = callFromAnotherOrigin("--rules", refusing.toString());
        assertTrue(results.get(0).toString().startsWith("error TypeError"), results.get(0).toString());
        assertTrue(results.get(1).toString().startsWith("error TypeError"), results.get(1).toString());
        assertTrue(results.get(2).toString().startsWith("401 "), results.get(2).toString());
    }

    /** Starts the sample (dev mode) and a page on another origin, and returns what the page's three calls saw. */
    private static List<Object> callFromAnotherOrigin(String... launcherArgs) throws Exception {
        Path chromium = findChromium();
        Assumptions.assumeTrue(chromium != null, "Chromium is not installed (Debian: apt-get install chromium; or"
                + " -Dchromium.path=...): the headless-browser CORS test is skipped");

        CompletableFuture<String> report = new CompletableFuture<>();
        HttpServer page = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        page.start();
        String pageOrigin = "http://127.0.0.1:" + page.getAddress().getPort();
        Path profile = Files.createTempDirectory("orgtoken-chromium");
        Process browser = null;
        try (LauncherProcess app = LauncherProcess.start(Map.of("ORGTOKEN_CORS_ORIGINS", pageOrigin), launcherArgs)) {
            String token = app.printedToken("MEMBER of organization o1");
            String html = PAGE.replace("%API%", app.baseUri()).replace("%TOKEN%", token);
            page.createContext("/page.html", exchange -> answer(exchange, 200, "text/html", html));
            page.createContext("/result", exchange -> {
                report.complete(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                answer(exchange, 204, "text/plain", "");
            });
            page.createContext("/favicon.ico", exchange -> answer(exchange, 404, "text/plain", ""));

            browser = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--user-data-dir=" + profile, pageOrigin + "/page.html")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            String seen = report.get(60, TimeUnit.SECONDS);
            System.out.println("BrowserCorsIT: the page saw " + seen);
            @SuppressWarnings("unchecked")
            List<Object> results = (List<Object>) JsonUtil.parseJson("{\"r\":" + seen + "}").get("r");
            assertEquals(3, results.size(), seen);
            return results;
        } finally {
            if (browser != null) {
                browser.destroy();
                if (!browser.waitFor(10, TimeUnit.SECONDS)) {
                    browser.destroyForcibly();
                }
            }
            page.stop(0);
            deleteTree(profile);
        }
    }

    /**
     * The browser app: three calls to the sample, each reported as "status body" or "error ...". The
     * first two send a bearer token, so the browser sends a preflight first.
     */
    private static final String PAGE = """
            <!doctype html>
            <meta charset="utf-8">
            <title>orgtoken CORS check</title>
            <script>
            const api = "%API%", token = "%TOKEN%";
            async function call(path, withToken) {
              try {
                const r = await fetch(api + path, withToken ? {headers: {"Authorization": "Bearer " + token}} : {});
                return r.status + " " + await r.text();
              } catch (e) {
                return "error " + e;
              }
            }
            (async () => {
              const results = [
                await call("/api/me", true),
                await call("/api/organizations/o2/members", true),
                await call("/api/me", false)];
              await fetch("/result", {method: "POST", body: JSON.stringify(results)});
            })();
            </script>
            """;

    private static void answer(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    private static Path findChromium() {
        String configured = System.getProperty("chromium.path");
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured);
            return Files.isExecutable(p) ? p : null;
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String name : CANDIDATES) {
            for (String dir : path.split(File.pathSeparator)) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException e) {
            // a temporary profile; the OS cleans up the rest
        }
    }
}
