package dev.orgtoken.sample;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the Management API client from {@code LOGTO_ENDPOINT}, {@code LOGTO_M2M_APP_ID},
 * {@code LOGTO_M2M_APP_SECRET} and optionally {@code LOGTO_MANAGEMENT_API_RESOURCE}.
 * Without credentials, the endpoints that call the Management API answer 503 and the rest of the
 * app still works. {@code LOGTO_ALLOW_INSECURE_HTTP=true} lets a plain {@code http://} endpoint on
 * another host receive the M2M secret (loopback needs no opt-in); a bad setting stops the start.
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
            LOG.warn("LOGTO_M2M_APP_ID / LOGTO_M2M_APP_SECRET not set: the Management API endpoints"
                    + " (POST /api/organizations, GET /api/organizations/{id}/members) will answer 503");
            return;
        }
        String resource = Settings.get("LOGTO_MANAGEMENT_API_RESOURCE")
                .orElse(ManagementApi.defaultResource(endpoint.get()));
        boolean allowInsecureHttp = Settings.flag("LOGTO_ALLOW_INSECURE_HTTP");
        // An http:// endpoint on another host without the opt-in throws here: the context does not
        // start, with the reason in the container's log, rather than send the secret in clear text.
        ManagementApi api;
        try {
            api = new ManagementApi(endpoint.get(), appId.get(), secret.get(), resource, allowInsecureHttp);
        } catch (IllegalStateException e) {
            // The library names its builder option; a deployer sets an environment variable.
            throw new IllegalStateException(e.getMessage() + " (for this app: LOGTO_ALLOW_INSECURE_HTTP=true)");
        }
        event.getServletContext().setAttribute(MANAGEMENT_API, api);
        LOG.info("Management API: {} (resource {}), app {}", endpoint.get(), resource, appId.get());
    }
}
