package dev.orgtoken.servlet;

import dev.orgtoken.rules.RuleSet;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the rules file named by the filter's {@code config} init-param. */
final class RulesSource {
    private RulesSource() {}

    static RuleSet load(String location, ServletContext context) throws ServletException {
        if (location.startsWith("classpath:")) {
            String name = location.substring("classpath:".length());
            String resource = name.startsWith("/") ? name.substring(1) : name;
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            InputStream in = loader == null ? null : loader.getResourceAsStream(resource);
            if (in == null) {
                in = RulesSource.class.getClassLoader().getResourceAsStream(resource);
            }
            return read(location, in);
        }
        if (location.startsWith("file:")) {
            Path path = Path.of(location.substring("file:".length()));
            if (!Files.isRegularFile(path)) {
                throw new ServletException("OrganizationTokenFilter: rules file " + location + " not found");
            }
            return RuleSet.load(path);
        }
        if (location.startsWith("/")) {
            return read(location, context.getResourceAsStream(location));
        }
        throw new ServletException("OrganizationTokenFilter: config '" + location
                + "' must start with '/' (a servlet-context resource such as /WEB-INF/orgtoken.yaml), 'classpath:' or 'file:'");
    }

    private static RuleSet read(String location, InputStream in) throws ServletException {
        if (in == null) {
            throw new ServletException("OrganizationTokenFilter: rules file " + location + " not found");
        }
        try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            return RuleSet.load(location, reader);
        } catch (IOException e) {
            throw new ServletException("OrganizationTokenFilter: rules file " + location + " could not be read: " + e.getMessage());
        }
    }
}
