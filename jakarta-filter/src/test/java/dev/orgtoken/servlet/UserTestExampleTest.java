package dev.orgtoken.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orgtoken.testkit.LogtoTestIssuer;
import dev.orgtoken.testkit.junit.LogtoIssuerExtension;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a user's own test looks like (the README shows it): the extension starts the issuer and sets
 * {@code LOGTO_ENDPOINT}, and the application's unchanged rules file ({@code endpoint: ${LOGTO_ENDPOINT}},
 * loaded by the filter's {@code web.xml} constructor and {@code config} init-param) trusts it.
 */
class UserTestExampleTest {
    private static final String API = "https://api.example.com/org";

    @RegisterExtension
    static LogtoIssuerExtension logto = LogtoIssuerExtension.perClass();

    private static Server server;
    private static URI base;

    @BeforeAll
    static void startTheApplication() throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        FilterHolder filter = new FilterHolder(OrganizationTokenFilter.class);   // as web.xml does
        filter.setInitParameter("config", "classpath:example/orgtoken.yaml");
        context.addFilter(filter, "/*", EnumSet.allOf(DispatcherType.class));
        context.addServlet(MembersServlet.class, "/*");
        server.setHandler(context);
        server.start();
        base = URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    @AfterAll
    static void stopTheApplication() throws Exception {
        server.stop();
    }

    @Test
    void membersOfTheOrganizationWithTheScopeGetIn(LogtoTestIssuer issuer) throws Exception {
        String token = issuer.organizationResourceToken("user-1", API, "o1", "read:members").sign();
        assertEquals(200, get("/api/organizations/o1/members", token));
        assertEquals(403, get("/api/organizations/o2/members", token));
        assertEquals(401, get("/api/organizations/o1/members", null));
    }

    private static int get(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The application's endpoint. */
    public static final class MembersServlet extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.getWriter().write("[]");
        }
    }
}
