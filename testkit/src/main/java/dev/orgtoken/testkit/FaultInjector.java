package dev.orgtoken.testkit;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.net.httpserver.HttpExchange;

/**
 * What the JWKS and discovery endpoints do instead of answering normally: one fault at a time, switched
 * atomically, applied by each request as it arrives.
 */
final class FaultInjector {

    /** A way of not answering normally. */
    sealed interface Fault permits Normal, Status, Body, Hang, Redirect {
    }

    /** No fault. */
    record Normal() implements Fault {
    }

    /** This status, no body. */
    record Status(int status) implements Fault {
    }

    /** This status, content type (or none) and body, without ETag or Cache-Control. */
    record Body(int status, String contentType, byte[] body) implements Fault {
    }

    /** Sleep, then answer normally. */
    record Hang(Duration delay) implements Fault {
    }

    /** {@code 302 Found} to this location. */
    record Redirect(URI location) implements Fault {
    }

    private final AtomicReference<Fault> fault = new AtomicReference<>(new Normal());

    void set(Fault next) {
        fault.set(Objects.requireNonNull(next, "fault"));
    }

    /**
     * Applies the current fault to a request.
     *
     * @return whether the normal answer should follow (no fault, or a hang that has ended)
     */
    boolean apply(HttpExchange ex) throws IOException {
        Fault f = fault.get();
        if (f instanceof Hang hang) {
            try {
                Thread.sleep(hang.delay().toMillis());
            } catch (InterruptedException e) {
                // close() interrupts the serving threads: stop without answering.
                Thread.currentThread().interrupt();
                return false;
            }
            return true;
        }
        if (f instanceof Status status) {
            Http.sendEmpty(ex, status.status());
            return false;
        }
        if (f instanceof Body body) {
            Http.send(ex, body.status(), body.contentType(), body.body());
            return false;
        }
        if (f instanceof Redirect redirect) {
            ex.getResponseHeaders().set("Location", redirect.location().toString());
            Http.sendEmpty(ex, 302);
            return false;
        }
        return true;
    }
}
