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

    /**
     * A yes/no setting: {@code true} or {@code false} (any case), absent is false.
     *
     * @throws IllegalArgumentException for any other value, so a typo does not silently mean no
     */
    static boolean flag(String name) {
        String value = get(name).orElse("false");
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        if (value.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException(name + " must be true or false");
    }
}
