package dev.orgtoken.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Replaces {@code ${NAME}} and {@code ${NAME:-default}} in one scalar value. The default is used
 * when the variable is unset or empty. Substituted text is not scanned again. A {@code $} not
 * followed by <code>{</code> is kept as is.
 *
 * <p>The result remembers where each substituted value sits, so the loader can keep it literal
 * (a value can never add a wildcard, a variable or a keyword to a path, audience or organization)
 * and can keep it out of error messages (a value may be a secret; its variable's name is not).
 */
final class Substitution {
    private Substitution() {}

    /**
     * One substituted value in a resolved scalar.
     *
     * @param reference the reference as written, e.g. {@code ${ORG}}
     * @param value the text it was replaced by
     * @param start where the value starts in the resolved text
     */
    record Insert(String reference, String value, int start) {
        int end() {
            return start + value.length();
        }
    }

    /**
     * A resolved scalar.
     *
     * @param text the value with every reference replaced
     * @param inserts the substituted parts, in order; empty when the value had no reference
     */
    record Resolved(String text, List<Insert> inserts) {
        /** Whether any substituted part contains one of {@code chars}. */
        boolean insertsContainAny(String chars) {
            for (Insert insert : inserts) {
                for (int i = 0; i < insert.value().length(); i++) {
                    if (chars.indexOf(insert.value().charAt(i)) >= 0) {
                        return true;
                    }
                }
            }
            return false;
        }

        /** The references, for a message: {@code ${A}} or {@code ${A}, ${B}}. */
        String references() {
            return String.join(", ", inserts.stream().map(Insert::reference).toList());
        }
    }

    static String apply(String value, Function<String, String> lookup) {
        return resolve(value, lookup).text();
    }

    static Resolved resolve(String value, Function<String, String> lookup) {
        int open = value.indexOf("${");
        if (open < 0) {
            return new Resolved(value, List.of());
        }
        StringBuilder out = new StringBuilder(value.length() + 32);
        List<Insert> inserts = new ArrayList<>();
        int from = 0;
        while (open >= 0) {
            out.append(value, from, open);
            int close = value.indexOf('}', open + 2);
            if (close < 0) {
                throw new IllegalArgumentException("unclosed '${' in '" + value + "'");
            }
            String inner = value.substring(open + 2, close);
            String name = inner;
            String fallback = null;
            int sep = inner.indexOf(":-");
            if (sep >= 0) {
                name = inner.substring(0, sep);
                fallback = inner.substring(sep + 2);
            }
            if (!isVariableName(name)) {
                throw new IllegalArgumentException("invalid variable reference '${" + inner
                        + "}' (expected ${NAME} or ${NAME:-default}; NAME uses letters, digits, '_' and '.')");
            }
            String resolved = lookup.apply(name);
            if (resolved == null || (resolved.isEmpty() && fallback != null)) {
                if (fallback == null) {
                    throw new IllegalArgumentException("variable '" + name
                            + "' is not set and has no default (set it, or write ${" + name + ":-default})");
                }
                resolved = fallback;
            }
            inserts.add(new Insert("${" + name + "}", resolved, out.length()));
            out.append(resolved);
            from = close + 1;
            open = value.indexOf("${", from);
        }
        out.append(value, from, value.length());
        return new Resolved(out.toString(), List.copyOf(inserts));
    }

    /** {@code [A-Za-z_][A-Za-z0-9_.]*}: environment variable and system property names. */
    static boolean isVariableName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'
                    || (i > 0 && ((c >= '0' && c <= '9') || c == '.'));
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
