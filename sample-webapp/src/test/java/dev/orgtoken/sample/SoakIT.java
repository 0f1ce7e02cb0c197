package dev.orgtoken.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.testkit.KeyType;
import dev.orgtoken.testkit.LogtoTestIssuer;
import dev.orgtoken.testkit.SigningKey;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Load and soak: the launcher jar (its own JVM, {@code -Xmx256m}, exiting on OutOfMemoryError)
 * against a {@link LogtoTestIssuer} given as {@code LOGTO_ENDPOINT}, driven by a fixed pool of
 * client threads with {@link HttpClient} for {@code soak.seconds} (default 60) with a mix of
 * tokens. Every answer is checked against the decision the rules demand:
 *
 * <ul>
 *   <li>valid, from a pool of pre-minted tokens (verified-token cache hits): 201;</li>
 *   <li>valid and minted during the run by two minter threads, each used for the first time
 *       (the cold path: a full signature check), up to {@code soak.distinctTokens} of them
 *       (default 12,000): 201;</li>
 *   <li>expired, forged (signed by another key under the issuer's kid), or carrying a random
 *       kid: 401 with {@code error="invalid_token"};</li>
 *   <li>a valid token for another organization: 403 with {@code error="insufficient_scope"}.</li>
 * </ul>
 * Every request is {@code POST /api/organizations/{id}/invitations} ({@code invite:member} in that
 * organization): an organization-scoped rule whose servlet calls nothing, so the soak measures the
 * filter and the app, not the Management API (the members endpoint reads Logto's Management API on
 * every call).
 * It asserts zero 5xx, zero wrong decisions and zero transport errors; that the server is alive
 * afterwards with no OutOfMemoryError; that it verified more distinct tokens than its cache holds
 * (the app runs the bundled rules file with {@code token-cache-size: 2000}, so the bound is passed
 * however fast this machine verifies ES384: a slow run still verifies several thousand);
 * and that the issuer saw few JWKS fetches (random kids cost at most one per 30 s cooldown). One
 * summary line goes to standard output (requests, per-kind counts, throughput, p50/p99 latency,
 * JWKS fetches, heap after GC).
 *
 * <p>Why 12,000 distinct tokens and not more: each costs an ES384 signature on the client (about
 * 2 ms) and a verification on the server (about 2.3 ms) on this project's 2-core reference
 * machine; 30,000 in a minute would take the whole machine. Raise it with
 * {@code -Dsoak.distinctTokens=30000} together with a longer {@code -Dsoak.seconds}.
 *
 * <p>Run it alone, longer: {@code ./mvnw -B -pl sample-webapp -am verify -Dit.test=SoakIT
 * -Dsoak.seconds=600 -DskipTests -Dsurefire.failIfNoSpecifiedTests=false} (see README).
 */
class SoakIT {
    private static final String ORG_API = "https://api.example.com/org";
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    /** What a request carries, and so what it must get. */
    enum Kind {
        VALID(201, null),
        FRESH(201, null),
        EXPIRED(401, "invalid_token"),
        FORGED(401, "invalid_token"),
        RANDOM_KID(401, "invalid_token"),
        WRONG_ORGANIZATION(403, "insufficient_scope");

        final int status;
        final String error;

        Kind(int status, String error) {
            this.status = status;
            this.error = error;
        }
    }

    /** A pre-minted token and the organization whose members it may read. */
    record Minted(String token, String organization) {}

    /** The verified-token cache bound the soak runs the app with: small enough to pass on any machine. */
    private static final int CACHE_SIZE = 2_000;

    /** The bundled rules file with {@code token-cache-size: 2000} in its {@code logto:} section. */
    private static Path smallCacheRules() throws IOException {
        String bundled = Files.readString(Path.of("src", "main", "webapp", "WEB-INF", "orgtoken.yaml"));
        if (!bundled.contains("\nlogto:\n")) {
            throw new IllegalStateException("the bundled rules file has no 'logto:' section line");
        }
        Path rules = Files.createTempFile("soak-rules", ".yaml");
        rules.toFile().deleteOnExit();
        Files.writeString(rules, bundled.replace("\nlogto:\n", "\nlogto:\n  token-cache-size: " + CACHE_SIZE + "\n"));
        return rules;
    }

    @Test
    void soak() throws Exception {
        int seconds = Integer.getInteger("soak.seconds", 60);
        int clients = Integer.getInteger("soak.clients", 32);
        int distinctTarget = Integer.getInteger("soak.distinctTokens", 12_000);

        Path rules = smallCacheRules();
        try (LogtoTestIssuer issuer = LogtoTestIssuer.start();
                LauncherProcess app = LauncherProcess.start(Map.of("LOGTO_ENDPOINT", issuer.endpoint().toString()),
                        List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError"), "--rules", rules.toString())) {
            Random random = new Random(20261121);
            List<Minted> valid = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String org = "org-" + (i % 16);
                valid.add(new Minted(issuer.organizationResourceToken("user-" + i, ORG_API, org, "invite:member").sign(),
                        org));
            }
            Instant now = issuer.clock().instant();
            List<Minted> expired = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                expired.add(new Minted(issuer.organizationResourceToken("user-x" + i, ORG_API, "org-1", "invite:member")
                        .issuedAt(now.minus(Duration.ofHours(2))).expiresAt(now.minus(Duration.ofMinutes(10))).sign(),
                        "org-1"));
            }
            SigningKey attacker = SigningKey.generate(KeyType.EC_P384);
            List<Minted> forged = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                forged.add(new Minted(issuer.organizationResourceToken("user-f" + i, ORG_API, "org-2", "invite:member")
                        .signedWith(attacker).kid(issuer.currentKey().kid()).sign(), "org-2"));
            }
            List<Minted> randomKid = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                randomKid.add(new Minted(issuer.organizationResourceToken("user-r" + i, ORG_API, "org-3", "invite:member")
                        .kid("random-" + Long.toHexString(random.nextLong())).sign(), "org-3"));
            }

            ExecutorService httpThreads = Executors.newFixedThreadPool(2);
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).executor(httpThreads).build();
            URI base = URI.create(app.baseUri());

            // Warm-up (JIT, first JWKS fetch), then the heap after a full GC.
            for (int i = 0; i < 300; i++) {
                Minted m = valid.get(i % valid.size());
                int status = send(http, base, m.token(), m.organization()).status;
                assertEquals(201, status, "warm-up");
            }
            long heapBeforeKb = heapUsedAfterGcKb(app.pid());
            int jwksBefore = issuer.jwksRequests();

            BlockingQueue<String> freshTokens = new ArrayBlockingQueue<>(2_000);
            AtomicInteger minted = new AtomicInteger();
            long runNanos = Duration.ofSeconds(seconds).toNanos();
            long start = System.nanoTime();
            long end = start + runNanos;
            ExecutorService minters = Executors.newFixedThreadPool(2);
            for (int t = 0; t < 2; t++) {
                minters.submit(() -> {
                    while (System.nanoTime() < end && !Thread.currentThread().isInterrupted()) {
                        // pace: the target spread evenly over the run
                        long due = start + runNanos * (long) minted.get() / Math.max(1, distinctTarget);
                        if (minted.get() >= distinctTarget) {
                            return null;
                        }
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            Thread.sleep(Math.min(50, TimeUnit.NANOSECONDS.toMillis(wait) + 1));
                            continue;
                        }
                        int n = minted.incrementAndGet();
                        freshTokens.put(issuer.organizationResourceToken("fresh-" + n, ORG_API, "org-fresh",
                                "invite:member").sign());
                    }
                    return null;
                });
            }

            Map<Kind, LongAdder> counts = new EnumMap<>(Kind.class);
            for (Kind k : Kind.values()) {
                counts.put(k, new LongAdder());
            }
            LongAdder serverErrors = new LongAdder();
            LongAdder transportErrors = new LongAdder();
            ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
            AtomicLong wrongCount = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            List<Future<long[]>> latencies = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                long seed = random.nextLong();
                latencies.add(pool.submit(() -> {
                    Random r = new Random(seed);
                    long[] lat = new long[1 << 16];
                    int n = 0;
                    while (System.nanoTime() < end) {
                        int roll = r.nextInt(100);
                        Kind kind;
                        String token;
                        String org;
                        String fresh = roll < 20 ? freshTokens.poll() : null;
                        if (fresh != null) {
                            kind = Kind.FRESH;
                            token = fresh;
                            org = "org-fresh";
                        } else if (roll < 80) {
                            Minted m = valid.get(r.nextInt(valid.size()));
                            kind = Kind.VALID;
                            token = m.token();
                            org = m.organization();
                        } else if (roll < 87) {
                            Minted m = expired.get(r.nextInt(expired.size()));
                            kind = Kind.EXPIRED;
                            token = m.token();
                            org = m.organization();
                        } else if (roll < 89) {
                            Minted m = forged.get(r.nextInt(forged.size()));
                            kind = Kind.FORGED;
                            token = m.token();
                            org = m.organization();
                        } else if (roll < 94) {
                            Minted m = randomKid.get(r.nextInt(randomKid.size()));
                            kind = Kind.RANDOM_KID;
                            token = m.token();
                            org = m.organization();
                        } else {
                            Minted m = valid.get(r.nextInt(valid.size()));
                            kind = Kind.WRONG_ORGANIZATION;
                            token = m.token();
                            org = "other-" + m.organization();
                        }
                        long t0 = System.nanoTime();
                        Result result;
                        try {
                            result = send(http, base, token, org);
                        } catch (IOException e) {
                            transportErrors.increment();
                            if (wrongCount.incrementAndGet() <= 20) {
                                wrong.add(kind + ": " + e);
                            }
                            continue;
                        }
                        long micros = (System.nanoTime() - t0) / 1_000;
                        if (n == lat.length) {
                            lat = Arrays.copyOf(lat, n * 2);
                        }
                        lat[n++] = micros;
                        counts.get(kind).increment();
                        if (result.status >= 500) {
                            serverErrors.increment();
                        }
                        boolean right = result.status == kind.status && (kind.error == null
                                ? result.challenge == null
                                : result.challenge != null && result.challenge.contains("error=\"" + kind.error + "\""));
                        if (!right && wrongCount.incrementAndGet() <= 20) {
                            wrong.add(kind + " got " + result.status + " " + result.challenge);
                        }
                    }
                    return Arrays.copyOf(lat, n);
                }));
            }
            List<long[]> perThread = new ArrayList<>();
            for (Future<long[]> f : latencies) {
                perThread.add(f.get(seconds + 60L, TimeUnit.SECONDS));
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            pool.shutdownNow();
            minters.shutdownNow();
            minters.awaitTermination(10, TimeUnit.SECONDS);
            httpThreads.shutdownNow();

            long[] all = perThread.stream().flatMapToLong(Arrays::stream).sorted().toArray();
            long requests = all.length;
            int jwksFetches = issuer.jwksRequests();
            long heapAfterKb = heapUsedAfterGcKb(app.pid());
            boolean alive = app.isAlive();
            boolean oom = app.output().stream().anyMatch(l -> l.contains("OutOfMemoryError"));
            long fresh = counts.get(Kind.FRESH).sum();

            StringBuilder perKind = new StringBuilder();
            counts.forEach((k, v) -> perKind.append(k.name().toLowerCase()).append('=').append(v.sum()).append(' '));
            System.out.printf("SOAK %ds, %d clients: %d requests (%s), %.0f req/s, p50 %.2f ms, p99 %.2f ms,"
                    + " max %.1f ms, 5xx=%d, wrong=%d, transport errors=%d, distinct fresh tokens verified=%d,"
                    + " JWKS fetches=%d (%d before the run), server heap after GC %s -> %s, alive=%s%n",
                    seconds, clients, requests, perKind.toString().trim(), requests / elapsed,
                    percentile(all, 50) / 1000.0, percentile(all, 99) / 1000.0,
                    (all.length == 0 ? 0 : all[all.length - 1]) / 1000.0, serverErrors.sum(),
                    wrongCount.get() - transportErrors.sum(), transportErrors.sum(), fresh, jwksFetches, jwksBefore,
                    kb(heapBeforeKb), kb(heapAfterKb), alive);

            assertTrue(alive, "the server died; output:\n" + tail(app.output()));
            assertFalse(oom, "OutOfMemoryError in the server's output");
            assertEquals(0, serverErrors.sum(), "5xx answers");
            assertEquals(0, wrongCount.get(), () -> "wrong decisions or transport errors, first ones: " + wrong);
            assertTrue(requests > 1_000, "too few requests: " + requests);
            for (Kind k : Kind.values()) {
                assertTrue(counts.get(k).sum() > 0, "no " + k + " requests");
            }
            if (distinctTarget > CACHE_SIZE && seconds >= 30) {
                assertTrue(fresh > CACHE_SIZE, "verified only " + fresh + " distinct fresh tokens; the cache bound ("
                        + CACHE_SIZE + ") was not exceeded");
            }
            // The initial fetch, then random kids: at most one forced refresh per 30 s cooldown
            // (counted from the warm-up), plus one TTL refresh per 8 min (4/5 of 10 min).
            int bound = 2 + (int) Math.ceil((elapsed + 10) / 30.0) + (int) (elapsed / 480);
            assertTrue(jwksFetches <= bound, "JWKS fetches " + jwksFetches + " > " + bound);
        }
    }

    record Result(int status, String challenge) {}

    private static Result send(HttpClient http, URI base, String token, String organization) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/api/organizations/" + organization + "/invitations"))
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        try {
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            Optional<String> challenge = response.headers().firstValue("WWW-Authenticate");
            return new Result(response.statusCode(), challenge.orElse(null));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static long percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** Heap in use after a full GC of the server process, via {@code jcmd}; -1 when jcmd is unavailable. */
    private static long heapUsedAfterGcKb(long pid) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            run(jcmd.toString(), Long.toString(pid), "GC.run");
            String info = run(jcmd.toString(), Long.toString(pid), "GC.heap_info");
            Matcher m = HEAP_USED.matcher(info);
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private static String run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException(e);
        }
    }

    private static String kb(long kb) {
        return kb < 0 ? "n/a" : String.format("%.1f MB", kb / 1024.0);
    }

    private static String tail(List<String> lines) {
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
