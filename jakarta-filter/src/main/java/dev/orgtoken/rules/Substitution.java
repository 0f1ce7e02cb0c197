package dev.orgtoken.rules;

import java.util.function.Function;

/**
 * Replaces {@code ${NAME}} and {@code ${NAME:-default}} in one scalar value. The default is used
 * when the variable is unset or empty. Substituted text is not scanned again. A {@code $} not
 * followed by <code>{</code> is kept as is.
 */
final class Substitution {
    private Substitution() {}

    static String apply(String value, Function<String, String> lookup) {
        int open = value.indexOf("${");
        if (open < 0) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length() + 32);
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
            out.append(resolved);
            from = close + 1;
            open = value.indexOf("${", from);
        }
        out.append(value, from, value.length());
        return out.toString();
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
