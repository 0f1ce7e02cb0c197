package dev.orgtoken.spring;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The starter's settings, under {@code orgtoken.*}. Everything about tokens and paths lives in the
 * rules file; these only say where it is and how the filter is registered.
 *
 * <table>
 *   <caption>Properties</caption>
 *   <tr><th>property</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code orgtoken.enabled}</td><td>{@code true}</td><td>{@code false} registers nothing</td></tr>
 *   <tr><td>{@code orgtoken.rules-file}</td><td>{@code classpath:orgtoken.yaml}</td><td>the rules file, as a
 *       Spring resource location ({@code classpath:}, {@code file:}, ...); {@code ${NAME}} in it resolves from
 *       the Spring environment (application properties, system properties, environment variables)</td></tr>
 *   <tr><td>{@code orgtoken.filter-order}</td><td>{@value #DEFAULT_FILTER_ORDER}</td><td>the filter's
 *       order: before Spring Security's filter chain ({@code -100}), after Spring's request-wrapping
 *       filters</td></tr>
 * </table>
 */
@ConfigurationProperties(prefix = "orgtoken")
public class OrganizationTokenProperties {
    /** The default filter order: just before Spring Security's filter chain ({@code -100}). */
    public static final int DEFAULT_FILTER_ORDER = -110;

    private boolean enabled = true;
    private String rulesFile = "classpath:orgtoken.yaml";
    private int filterOrder = DEFAULT_FILTER_ORDER;

    /** Creates the defaults. */
    public OrganizationTokenProperties() {}

    /** @return whether the starter registers the filter and the verifier */
    public boolean isEnabled() {
        return enabled;
    }

    /** @param enabled whether the starter registers the filter and the verifier */
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** @return the rules file's location */
    public String getRulesFile() {
        return rulesFile;
    }

    /** @param rulesFile the rules file's location, a Spring resource location */
    public void setRulesFile(String rulesFile) {
        this.rulesFile = rulesFile;
    }

    /** @return the filter's order */
    public int getFilterOrder() {
        return filterOrder;
    }

    /** @param filterOrder the filter's order */
    public void setFilterOrder(int filterOrder) {
        this.filterOrder = filterOrder;
    }
}
