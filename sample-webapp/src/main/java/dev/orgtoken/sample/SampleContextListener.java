package dev.orgtoken.sample;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the Management API client from {@code LOGTO_ENDPOINT}, {@code LOGTO_M2M_APP_ID},
 * {@code LOGTO_M2M_APP_SECRET} and optionally {@code LOGTO_MANAGEMENT_API_RESOURCE}.
 * Without credentials, organization creation answers 503 and the rest of the app still works.
 */
public final class SampleContextListener implements ServletContextListener {
    static final String MANAGEMENT_API = ManagementApi.class.getName();
    private static final Logger LOG = LoggerFactory.getLogger(SampleContextListener.class);

    @Override
    public void contextInitialized(ServletContextEvent event) {
        var endpoint = Settings.get("LOGTO_ENDPOINT");
        var appId = Settings.get("LOGTO_M2M_APP_ID");
        var secret = Settings.get("LOGTO_M2M_APP_SECRET");
        if (endpoint.isEmpty() || appId.isEmpty() || secret.isEmpty()) {
            LOG.warn("LOGTO_M2M_APP_ID / LOGTO_M2M_APP_SECRET not set: POST /api/organizations will answer 503");
            return;
        }
        String resource = Settings.get("LOGTO_MANAGEMENT_API_RESOURCE")
                .orElse(ManagementApi.defaultResource(endpoint.get()));
        event.getServletContext().setAttribute(MANAGEMENT_API,
                new ManagementApi(endpoint.get(), appId.get(), secret.get(), resource));
        LOG.info("Management API: {} (resource {}), app {}", endpoint.get(), resource, appId.get());
    }
}
