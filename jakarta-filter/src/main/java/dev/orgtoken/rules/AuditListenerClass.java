package dev.orgtoken.rules;

import java.util.Objects;

/**
 * A decision listener named by class in the rules file's {@code audit} list (or added with
 * {@link RuleSet.Builder#auditListener(String)}). The rules only name it: the filter instantiates
 * it (public no-argument constructor) when it starts, and a failure names {@link #location()}.
 *
 * @param className the listener's binary class name, e.g. {@code dev.orgtoken.servlet.Slf4jAuditLog}
 * @param location where it was named: {@code file:line}, or {@code code}
 */
public record AuditListenerClass(String className, String location) {
    /**
     * @param className a Java binary class name
     * @param location where it was named
     * @throws IllegalArgumentException when {@code className} is not a Java class name
     */
    public AuditListenerClass {
        Objects.requireNonNull(className, "className");
        Objects.requireNonNull(location, "location");
        if (!className.matches("[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*"
                + "(?:[.$][\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*)*")) {
            throw new ConfigProblem("audit", "'" + className + "' is not a Java class name");
        }
    }
}
