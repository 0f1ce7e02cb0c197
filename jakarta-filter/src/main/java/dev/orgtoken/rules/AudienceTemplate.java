package dev.orgtoken.rules;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An audience with optional {@code {name}} placeholders, such as
 * {@code urn:logto:organization:{organizationId}}. Braces are reserved: each {@code {} must open a
 * well-formed placeholder.
 */
final class AudienceTemplate {
    private final String source;
    /** Alternating literal text and variable names: parts[0] literal, parts[1] variable, ... */
    private final String[] parts;
    private final Set<String> variables;

    private AudienceTemplate(String source, String[] parts, Set<String> variables) {
        this.source = source;
        this.parts = parts;
        this.variables = variables;
    }

    static AudienceTemplate parse(String text) {
        Objects.requireNonNull(text, "audience");
        if (text.isEmpty()) {
            throw new IllegalArgumentException("audience must not be empty");
        }
        if (Syntax.hasWhitespaceOrControl(text)) {
            throw new IllegalArgumentException("audience '" + text + "' must not contain whitespace or control characters");
        }
        List<String> parts = new ArrayList<>();
        Set<String> variables = new LinkedHashSet<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '}') {
                throw new IllegalArgumentException("audience '" + text + "' has an unmatched '}'");
            }
            if (c != '{') {
                literal.append(c);
                i++;
                continue;
            }
            int close = text.indexOf('}', i + 1);
            if (close < 0) {
                throw new IllegalArgumentException("audience '" + text + "' has an unclosed '{'");
            }
            String name = text.substring(i + 1, close);
            if (!Syntax.isIdentifier(name)) {
                throw new IllegalArgumentException("audience '" + text + "' has an invalid placeholder '{" + name
                        + "}' (use letters, digits and '_', not starting with a digit)");
            }
            parts.add(literal.toString());
            literal.setLength(0);
            parts.add(name);
            variables.add(name);
            i = close + 1;
        }
        parts.add(literal.toString());
        return new AudienceTemplate(text, parts.toArray(new String[0]), Set.copyOf(variables));
    }

    Set<String> variables() {
        return variables;
    }

    boolean isLiteral() {
        return parts.length == 1;
    }

    String resolve(Map<String, String> values) {
        if (parts.length == 1) {
            return source;
        }
        StringBuilder out = new StringBuilder(source.length() + 16);
        for (int i = 0; i < parts.length; i++) {
            if (i % 2 == 0) {
                out.append(parts[i]);
            } else {
                String value = values.get(parts[i]);
                if (value == null) {
                    throw new IllegalStateException("no value for '{" + parts[i] + "}' in audience '" + source + "'");
                }
                out.append(value);
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return source;
    }
}
