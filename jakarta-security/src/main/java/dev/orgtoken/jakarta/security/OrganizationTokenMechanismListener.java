package dev.orgtoken.jakarta.security;

import jakarta.inject.Inject;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;

/**
 * Starts the {@link OrganizationTokenAuthenticationMechanism} when the application is deployed:
 * the rules file is read and the verifier built then, and an error in the file fails the
 * deployment, with the file, line and problem in the server's log. Found by the container's
 * annotation scan of {@code WEB-INF/lib} (a {@code web.xml} with {@code metadata-complete="true"}
 * turns that off; the mechanism then reads the rules on the first request, and refuses every
 * request if they are broken).
 */
@WebListener
public class OrganizationTokenMechanismListener implements ServletContextListener {
    @Inject
    OrganizationTokenAuthenticationMechanism mechanism;

    /** Created by the servlet container. */
    public OrganizationTokenMechanismListener() {}

    @Override
    public void contextInitialized(ServletContextEvent event) {
        mechanism.start(event.getServletContext());
    }
}
