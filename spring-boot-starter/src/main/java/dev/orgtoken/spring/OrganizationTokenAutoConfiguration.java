package dev.orgtoken.spring;

import dev.orgtoken.OrganizationTokenVerifier;
import dev.orgtoken.VerifierMetrics;
import dev.orgtoken.micrometer.OrganizationTokenMeters;
import dev.orgtoken.rules.RuleSet;
import dev.orgtoken.rules.RulesFileException;
import dev.orgtoken.servlet.FilterMetrics;
import dev.orgtoken.servlet.OrganizationTokenFilter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Registers orgtoken in a Spring Boot servlet application: the {@link RuleSet} from
 * {@code orgtoken.rules-file}, the {@link OrganizationTokenVerifier} as a bean (closed with the
 * context), the {@link OrganizationTokenFilter} on {@code /*} for every dispatcher type, a
 * {@link VerifiedTokenArgumentResolver} for Spring MVC, and {@link OrganizationTokenMeters} when
 * Micrometer and a {@link MeterRegistry} are there. Each bean backs off when the application
 * defines its own. {@code orgtoken.enabled=false} turns it all off.
 */
@AutoConfiguration(afterName = "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnProperty(prefix = "orgtoken", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(OrganizationTokenProperties.class)
public class OrganizationTokenAutoConfiguration {

    /** Created by Spring. */
    public OrganizationTokenAutoConfiguration() {}

    /**
     * The rules, read once at start-up; a missing or broken file stops the application with the
     * file, line and problem.
     *
     * @param properties the starter's settings
     * @param resources where {@code orgtoken.rules-file} is looked up
     * @param environment what {@code ${NAME}} in the file resolves from
     * @return the rules
     */
    @Bean
    @ConditionalOnMissingBean
    public RuleSet organizationTokenRules(OrganizationTokenProperties properties, ResourceLoader resources,
            Environment environment) {
        String location = properties.getRulesFile();
        Resource resource = resources.getResource(location);
        if (!resource.exists()) {
            throw new IllegalStateException("orgtoken.rules-file " + location + " not found: add it, or set "
                    + "orgtoken.rules-file (or orgtoken.enabled=false)");
        }
        try (Reader reader = new InputStreamReader(resource.getInputStream(), StandardCharsets.UTF_8)) {
            return RuleSet.load(location, reader, environment::getProperty);
        } catch (IOException e) {
            throw new UncheckedIOException("orgtoken.rules-file " + location + " could not be read", e);
        } catch (RulesFileException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * The verifier, built from the rules file's {@code logto} settings; inject it to verify tokens in
     * code.
     *
     * @param rules the rules, which must have {@code logto} settings
     * @param metrics where the verifier counts, when the application (or this starter) has a sink
     * @return the verifier
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public OrganizationTokenVerifier organizationTokenVerifier(RuleSet rules, ObjectProvider<VerifierMetrics> metrics) {
        OrganizationTokenVerifier.Builder builder = rules.verifierBuilder().orElseThrow(() -> new IllegalStateException(
                "the rules file has no 'logto' settings: add them, or define an OrganizationTokenVerifier bean"));
        return builder.metrics(metrics.getIfAvailable(() -> VerifierMetrics.NONE)).build();
    }

    /**
     * The filter, on {@code /*} for all five dispatcher types (each dispatch is decided on its target).
     *
     * @param rules the rules
     * @param verifier the verifier
     * @param metrics where the filter counts its own refusals, when there is a sink
     * @param properties the starter's settings (the order)
     * @return the registration
     */
    @Bean
    @ConditionalOnMissingBean(name = "organizationTokenFilter")
    public FilterRegistrationBean<OrganizationTokenFilter> organizationTokenFilter(RuleSet rules,
            OrganizationTokenVerifier verifier, ObjectProvider<FilterMetrics> metrics,
            OrganizationTokenProperties properties) {
        FilterRegistrationBean<OrganizationTokenFilter> registration = new FilterRegistrationBean<>(
                new OrganizationTokenFilter(rules, verifier, metrics.getIfAvailable(() -> FilterMetrics.NONE)));
        registration.setName("orgtoken");
        registration.setUrlPatterns(List.of("/*"));
        registration.setDispatcherTypes(EnumSet.allOf(DispatcherType.class));
        registration.setAsyncSupported(true);
        registration.setOrder(properties.getFilterOrder());
        return registration;
    }

    /** {@code VerifiedToken} controller arguments, in a Spring MVC application. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(WebMvcConfigurer.class)
    public static class SpringMvc {
        /** Created by Spring. */
        public SpringMvc() {}

        /**
         * @return the MVC configuration that adds {@link VerifiedTokenArgumentResolver}
         */
        @Bean
        public WebMvcConfigurer organizationTokenArguments() {
            return new WebMvcConfigurer() {
                @Override
                public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
                    resolvers.add(new VerifiedTokenArgumentResolver());
                }
            };
        }
    }

    /** The meters, when Micrometer is on the class path and the application has a {@link MeterRegistry}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    public static class Micrometer {
        /** Created by Spring. */
        public Micrometer() {}

        /**
         * @param registry the application's registry
         * @return the meters, which the verifier and the filter report to
         */
        @Bean
        @ConditionalOnBean(MeterRegistry.class)
        @ConditionalOnMissingBean
        public OrganizationTokenMeters organizationTokenMeters(MeterRegistry registry) {
            return new OrganizationTokenMeters(registry);
        }
    }
}
