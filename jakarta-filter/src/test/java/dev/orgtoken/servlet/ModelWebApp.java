package dev.orgtoken.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The web application of {@link DecisionModelTest}: servlets under every kind of mapping, each
 * recording what it was invoked with, plus a dispatching servlet and error pages; the filter is
 * mapped to {@code /*} for the dispatcher types the test asks for (all five in {@link DecisionModelTest}).
 *
 * <ul>
 *   <li>{@code /} (default), {@code /api/*} and {@code /admin/*} (prefix), {@code /api/me} and
 *       {@code /health} (exact), {@code *.do} (extension): record and answer 200;</li>
 *   <li>{@code /dispatch/*}: on a REQUEST dispatch, {@code /dispatch/forward}, {@code /dispatch/include}
 *       and {@code /dispatch/async} forward, include or {@code AsyncContext.dispatch} to the query
 *       parameter {@code target} (a context-relative path, itself percent-encoded or not);
 *       {@code /dispatch/error} calls {@code sendError(code)}; anything else (and every other
 *       dispatch type) records and answers 200;</li>
 *   <li>error pages: {@value #CONFLICT} for 409, {@value #GONE} for 410 (Jetty uses error pages for
 *       GET, POST and HEAD only: other methods get the bare status, no ERROR dispatch).</li>
 * </ul>
 *
 * Every invocation is recorded under the request's {@value #REQUEST_ID} header, which every dispatch
 * of the request carries.
 */
final class ModelWebApp {
    static final String REQUEST_ID = "X-Model-Request";
    static final String CONFLICT = "/errors/conflict";
    static final String GONE = "/public/gone";
    static final Map<Integer, String> ERROR_PAGES = Map.of(409, CONFLICT, 410, GONE);

    /**
     * One servlet invocation, as the servlet saw it.
     *
     * @param includeServletPath {@code jakarta.servlet.include.servlet_path} (null unless INCLUDE)
     * @param includePathInfo {@code jakarta.servlet.include.path_info}
     * @param principal {@code getUserPrincipal().getName()}, or null
     */
    record Seen(String servlet, DispatcherType type, String method, String servletPath, String pathInfo,
            String includeServletPath, String includePathInfo, String requestUri, String principal) {

        /** The path this dispatch targets: the include.* attributes for INCLUDE, else servlet path + path info. */
        String target() {
            String s = type == DispatcherType.INCLUDE ? nonNull(includeServletPath) + nonNull(includePathInfo)
                    : nonNull(servletPath) + nonNull(pathInfo);
            return s.isEmpty() ? "/" : s;
        }

        private static String nonNull(String s) {
            return s == null ? "" : s;
        }
    }

    private final Map<String, Queue<Seen>> seen = new ConcurrentHashMap<>();

    /** The layout with the filter mapped for these dispatcher types (all five unless a test says otherwise). */
    Container.Layout layout(Set<DispatcherType> filterDispatches) {
        return new Container.Layout(List.of(
                new Container.ServletMapping("default", new Recording("default"), List.of("/")),
                new Container.ServletMapping("api", new Recording("api"), List.of("/api/*")),
                new Container.ServletMapping("admin", new Recording("admin"), List.of("/admin/*")),
                new Container.ServletMapping("exact", new Recording("exact"), List.of("/api/me", "/health")),
                new Container.ServletMapping("do", new Recording("do"), List.of("*.do")),
                new Container.ServletMapping("dispatch", new Dispatching(), List.of("/dispatch/*"))),
                ERROR_PAGES, filterDispatches, true);
    }

    /** The invocations recorded for a request, removed from the record. */
    List<Seen> take(String requestId) {
        Queue<Seen> q = seen.remove(requestId);
        return q == null ? List.of() : List.copyOf(q);
    }

    private void record(String servlet, HttpServletRequest request) {
        String id = request.getHeader(REQUEST_ID);
        Principal principal = request.getUserPrincipal();
        seen.computeIfAbsent(id == null ? "-" : id, k -> new ConcurrentLinkedQueue<>()).add(new Seen(servlet,
                request.getDispatcherType(), request.getMethod(), request.getServletPath(), request.getPathInfo(),
                (String) request.getAttribute(RequestDispatcher.INCLUDE_SERVLET_PATH),
                (String) request.getAttribute(RequestDispatcher.INCLUDE_PATH_INFO),
                request.getRequestURI(), principal == null ? null : principal.getName()));
    }

    /** 200 with a short text body, through the output stream as the filter writes its refusals. */
    private static void answer(HttpServletRequest request, HttpServletResponse response, String text) throws IOException {
        byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
        response.setStatus(200);
        response.setContentType("text/plain");
        if (!"HEAD".equals(request.getMethod())) {
            response.getOutputStream().write(body);
        }
    }

    private final class Recording extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final String name;

        Recording(String name) {
            this.name = name;
        }

        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
            record(name, request);
            answer(request, response, name + " " + request.getDispatcherType());
        }
    }

    private final class Dispatching extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response)
                throws IOException, jakarta.servlet.ServletException {
            record("dispatch", request);
            String action = request.getPathInfo();
            String target = request.getParameter("target");
            if (request.getDispatcherType() != DispatcherType.REQUEST || action == null) {
                answer(request, response, "dispatch " + request.getDispatcherType());
                return;
            }
            switch (action) {
                case "/error" -> {
                    String code = request.getParameter("code");
                    response.sendError(code == null ? 409 : Integer.parseInt(code));
                }
                case "/forward-writer" -> {
                    // A page that takes the writer, then forwards (JSPs do): the filter must still
                    // answer a refusal, not fail to write it.
                    response.getWriter();
                    request.getRequestDispatcher(target == null ? "/" : target).forward(request, response);
                }
                case "/forward", "/include", "/async" -> {
                    if (target == null) {
                        answer(request, response, "dispatch: no target");
                    } else if (action.equals("/async")) {
                        AsyncContext async = request.startAsync();
                        async.setTimeout(30_000);
                        async.dispatch(target);
                    } else {
                        RequestDispatcher dispatcher = request.getRequestDispatcher(target);
                        if (dispatcher == null) {
                            response.sendError(404);
                        } else if (action.equals("/forward")) {
                            dispatcher.forward(request, response);
                        } else {
                            dispatcher.include(request, response);
                        }
                    }
                }
                default -> answer(request, response, "dispatch " + action);
            }
        }
    }
}
