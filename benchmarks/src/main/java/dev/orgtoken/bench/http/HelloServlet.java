package dev.orgtoken.bench.http;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;

/** The same tiny endpoint behind every context: a fixed JSON body naming the caller, if any. */
public final class HelloServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Principal p = request.getUserPrincipal();
        String body = "{\"members\":[\"u1\",\"u2\",\"u3\"],\"caller\":" + (p == null ? "null" : "\"" + p.getName() + "\"") + "}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setContentType("application/json");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
