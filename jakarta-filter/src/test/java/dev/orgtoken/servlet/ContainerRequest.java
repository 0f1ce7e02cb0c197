package dev.orgtoken.servlet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The container's side of a request, for unit tests of the filter's request readers: a dynamic
 * proxy answering what a container would for the few getters set here, and throwing on anything
 * else, so a test notices when the code under test reads something new. It stands in for the
 * container, not for our code.
 */
final class ContainerRequest {
    private String requestUri = "/";
    private String contextPath = "";
    private String servletPath = "";
    private String pathInfo = "/";
    private String queryString;
    private DispatcherType dispatch = DispatcherType.REQUEST;
    private final Map<String, Object> attributes = new HashMap<>();
    private final List<String> authorization = new java.util.ArrayList<>();

    static ContainerRequest to(String path) {
        ContainerRequest r = new ContainerRequest();
        r.requestUri = path;
        r.servletPath = "";
        r.pathInfo = path;
        return r;
    }

    ContainerRequest uri(String raw, String contextPath, String servletPath, String pathInfo) {
        this.requestUri = raw;
        this.contextPath = contextPath;
        this.servletPath = servletPath;
        this.pathInfo = pathInfo;
        return this;
    }

    ContainerRequest query(String query) {
        this.queryString = query;
        return this;
    }

    ContainerRequest authorization(String value) {
        authorization.add(value);
        return this;
    }

    ContainerRequest dispatch(DispatcherType type) {
        this.dispatch = type;
        return this;
    }

    ContainerRequest attribute(String name, Object value) {
        attributes.put(name, value);
        return this;
    }

    HttpServletRequest build() {
        return (HttpServletRequest) Proxy.newProxyInstance(ContainerRequest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getRequestURI" -> requestUri;
                    case "getContextPath" -> contextPath;
                    case "getServletPath" -> servletPath;
                    case "getPathInfo" -> pathInfo;
                    case "getQueryString" -> queryString;
                    case "getDispatcherType" -> dispatch;
                    case "getAttribute" -> attributes.get((String) args[0]);
                    case "getHeaders" -> "Authorization".equalsIgnoreCase((String) args[0])
                            ? Collections.enumeration(authorization) : Collections.emptyEnumeration();
                    case "toString" -> "request " + requestUri;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException("the code under test called " + method.getName());
                });
    }
}
