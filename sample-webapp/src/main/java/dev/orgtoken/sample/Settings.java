package dev.orgtoken.sample;

import java.util.Optional;

/** Reads the sample's settings: a system property wins over the environment variable of the same name. */
final class Settings {
    private Settings() {}

    static Optional<String> get(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            value = System.getenv(name);
        }
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }
}
