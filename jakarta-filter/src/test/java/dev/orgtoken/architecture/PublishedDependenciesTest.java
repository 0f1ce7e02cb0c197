package dev.orgtoken.architecture;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The parent pom's {@code published-dependencies} enforcer rule allows exactly what README.md's
 * "Dependencies" section lists: every group (or artifact) the rule lets into a published module's
 * compile or runtime scope must appear in that section. The rule itself fails the build on a
 * dependency it does not allow; this keeps the rule and the README in step.
 */
class PublishedDependenciesTest {
    private static final Path ROOT = Path.of("..");

    @Test
    void everyAllowedDependencyIsOnTheReadmesList() throws IOException {
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        int rule = pom.indexOf("<id>published-dependencies</id>");
        assertTrue(rule > 0, "the parent pom has the published-dependencies rule");
        String includes = pom.substring(pom.indexOf("<includes>", rule), pom.indexOf("</includes>", rule));
        String readme = Files.readString(ROOT.resolve("README.md"));
        String dependencies = readme.substring(readme.indexOf("\n## Dependencies"), readme.indexOf("\n## Releasing"));

        List<String> missing = new ArrayList<>();
        Matcher include = Pattern.compile("<include>([^<]+)</include>").matcher(includes);
        int checked = 0;
        while (include.find()) {
            String[] parts = include.group(1).split(":");
            if (parts[0].equals("*") || parts[0].equals("dev.orgtoken")) {
                continue;                                   // a scope, or our own modules
            }
            checked++;
            String name = parts.length > 1 ? parts[1] : parts[0];
            if (!dependencies.contains(parts[0]) && !dependencies.contains(name)) {
                missing.add(include.group(1));
            }
        }
        assertTrue(checked >= 10, "the rule's allow-list was read (" + checked + " entries)");
        assertTrue(missing.isEmpty(), "allowed in published modules but not on README's dependency list: " + missing);
    }
}
