package dev.orgtoken.rules;

import java.time.Duration;
import java.time.format.DateTimeParseException;

/** Parses {@code 500ms}, {@code 60s}, {@code 10m}, {@code 24h} and ISO-8601 ({@code PT1M}). */
final class Durations {
    private Durations() {}

    static Duration parse(String text) {
        String s = text.trim();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("duration must not be empty");
        }
        char first = s.charAt(0);
        if (first == 'P' || first == 'p' || ((first == '-' || first == '+') && s.length() > 1
                && (s.charAt(1) == 'P' || s.charAt(1) == 'p'))) {
            try {
                return Duration.parse(s);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("invalid ISO-8601 duration '" + text + "'");
            }
        }
        int digits = 0;
        while (digits < s.length() && s.charAt(digits) >= '0' && s.charAt(digits) <= '9') {
            digits++;
        }
        String unit = s.substring(digits);
        if (digits == 0) {
            throw new IllegalArgumentException("invalid duration '" + text
                    + "' (expected a number with a unit: 500ms, 60s, 10m, 24h, or ISO-8601 like PT1M)");
        }
        if (unit.isEmpty()) {
            throw new IllegalArgumentException("duration '" + text
                    + "' has no unit, which is ambiguous (write " + s + "s, " + s + "ms, " + s + "m or " + s + "h)");
        }
        if (digits > 15) {
            throw new IllegalArgumentException("duration '" + text + "' is too large");
        }
        long amount = Long.parseLong(s.substring(0, digits));
        switch (unit) {
            case "ms":
                return Duration.ofMillis(amount);
            case "s":
                return Duration.ofSeconds(amount);
            case "m":
                return Duration.ofMinutes(amount);
            case "h":
                return Duration.ofHours(amount);
            default:
                throw new IllegalArgumentException("duration '" + text + "' has unknown unit '" + unit
                        + "' (use ms, s, m or h, or ISO-8601 like PT1M)");
        }
    }
}
