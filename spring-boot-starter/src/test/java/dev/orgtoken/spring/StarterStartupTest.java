package dev.orgtoken.spring;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.spring.app.TestApplication;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Fail closed at start-up: no rules file, or an unresolvable {@code ${LOGTO_ENDPOINT}}, stops the application. */
class StarterStartupTest {

    @Test
    void aMissingRulesFileStopsTheApplication() {
        Exception e = assertThrows(Exception.class, () -> start("orgtoken.rules-file=classpath:missing.yaml"));
        assertTrue(messages(e).contains("orgtoken.rules-file classpath:missing.yaml not found"), messages(e));
    }

    @Test
    void anUnsetVariableStopsTheApplication() {
        // No LogtoIssuerExtension here, so LOGTO_ENDPOINT is unset.
        Exception e = assertThrows(Exception.class, () -> start("orgtoken.filter-order=-110"));
        assertTrue(messages(e).contains("LOGTO_ENDPOINT"), messages(e));
    }

    private static void start(String property) {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(TestApplication.class)
                .properties(property, "server.port=0", "app.management.client-id=x",
                        "app.management.client-secret=x", "app.management.resource=x")
                .run()) {
            context.isRunning();
        }
    }

    private static String messages(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            b.append(t.getMessage()).append('\n');
        }
        return b.toString();
    }
}
