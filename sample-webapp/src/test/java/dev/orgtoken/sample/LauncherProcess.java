package dev.orgtoken.sample;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The launcher jar, started as a separate process exactly as the README tells a user to. */
final class LauncherProcess implements AutoCloseable {
    private static final Pattern STARTED = Pattern.compile("orgtoken sample started on (http://\\S+)");

    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final String baseUri;

    private LauncherProcess(Process process, Duration timeout) throws Exception {
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    output.add(line);
                }
            } catch (IOException ignored) {
                // process ended
            }
        }, "launcher-output");
        reader.setDaemon(true);
        reader.start();
        Instant deadline = Instant.now().plus(timeout);
        String found = null;
        while (found == null && Instant.now().isBefore(deadline) && process.isAlive()) {
            for (String line : output) {
                Matcher m = STARTED.matcher(line);
                if (m.find()) {
                    found = m.group(1);
                }
            }
            Thread.sleep(100);
        }
        if (found == null) {
            process.destroyForcibly();
            throw new IllegalStateException("launcher did not start; output:\n" + String.join("\n", output));
        }
        this.baseUri = found;
    }

    static LauncherProcess start(Map<String, String> env, String... args) throws Exception {
        return start(env, List.of(), args);
    }

    /**
     * @param env environment variables for the process
     * @param jvmArgs JVM options placed before {@code -jar}, e.g. {@code -Xmx256m}
     * @param args launcher arguments
     */
    static LauncherProcess start(Map<String, String> env, List<String> jvmArgs, String... args) throws Exception {
        Path jar = Path.of("target", "sample-webapp.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run the package phase first");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-jar");
        command.add(jar.toString());
        command.add("--port");
        command.add("0");
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).directory(new File("."));
        builder.environment().remove("LOGTO_ENDPOINT");
        builder.environment().remove("LOGTO_M2M_APP_ID");
        builder.environment().remove("LOGTO_M2M_APP_SECRET");
        builder.environment().putAll(env);
        return new LauncherProcess(builder.start(), Duration.ofSeconds(60));
    }

    String baseUri() {
        return baseUri;
    }

    /** @return the launcher's process id (for {@code jcmd}) */
    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    List<String> output() {
        return List.copyOf(output);
    }

    /**
     * Whether a line the app has written (or writes within 10 s) matches. The app logs before it
     * answers, so the line is in the pipe when the answer arrives; only this process's reader may
     * not have taken it yet, hence the bounded wait for a line that is certain to come.
     */
    boolean hasOutput(Predicate<String> line) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(10);
        while (Instant.now().isBefore(deadline)) {
            if (output.stream().anyMatch(line)) {
                return true;
            }
            Thread.sleep(20);
        }
        return output.stream().anyMatch(line);
    }

    /** The token in the curl command printed under the comment line that starts with {@code titlePrefix}. */
    String printedToken(String titlePrefix) {
        List<String> lines = output();
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).startsWith("# " + titlePrefix)) {
                Matcher m = Pattern.compile("Bearer ([A-Za-z0-9._-]+)'").matcher(lines.get(i + 1));
                if (m.find()) {
                    return m.group(1);
                }
            }
        }
        throw new IllegalStateException("no printed token for '" + titlePrefix + "' in:\n" + String.join("\n", lines));
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
