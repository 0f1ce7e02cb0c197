package dev.orgtoken.sample;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;

/** Just enough JSON writing for the sample's small responses (parsing uses jose4j's JsonUtil). */
final class Json {
    private Json() {}

    static String write(Object value) {
        StringBuilder b = new StringBuilder();
        append(b, value);
        return b.toString();
    }

    static void send(HttpServletResponse response, int status, Object body) throws IOException {
        send(response, status, "application/json", write(body));
    }

    /** An RFC 9457 problem, the same shape the filter answers with. */
    static void problem(HttpServletResponse response, int status, String title, String detail) throws IOException {
        send(response, status, "application/problem+json",
                write(Map.of("type", "about:blank", "title", title, "status", status, "detail", detail)));
    }

    /** A body of this content type (an RFC 9457 problem with extension members, say). */
    static void send(HttpServletResponse response, int status, String type, Object body) throws IOException {
        send(response, status, type, write(body));
    }

    private static void send(HttpServletResponse response, int status, String type, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType(type);
        response.setCharacterEncoding("UTF-8");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    private static void append(StringBuilder b, Object value) {
        if (value == null) {
            b.append("null");
        } else if (value instanceof String s) {
            string(b, s);
        } else if (value instanceof Number || value instanceof Boolean) {
            b.append(value);
        } else if (value instanceof Map<?, ?> map) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : new java.util.TreeMap<>(map).entrySet()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                string(b, String.valueOf(e.getKey()));
                b.append(':');
                append(b, e.getValue());
            }
            b.append('}');
        } else if (value instanceof Collection<?> list) {
            b.append('[');
            boolean first = true;
            for (Object o : list) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                append(b, o);
            }
            b.append(']');
        } else {
            string(b, value.toString());
        }
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
