package dev.orgtoken.testkit;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jose4j.json.JsonUtil;
import org.jose4j.lang.JoseException;

/**
 * A small, deterministic JSON writer (compact, insertion order kept) plus a parse helper.
 *
 * <p>Values are JSON values: {@code null}, {@link String}, {@link Boolean}, {@link Number}, {@link Map}
 * (keys turned into strings), {@link Iterable} and arrays. An {@link Instant} is written as a
 * NumericDate (epoch seconds), which is what JWT time claims hold.
 */
final class Json {

    private Json() {
    }

    /** Writes a value as compact JSON. */
    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    /**
     * Returns a detached, JSON-safe copy of a value (lists and insertion-ordered maps), or throws
     * {@link IllegalArgumentException} if the value cannot be written as JSON.
     */
    static Object normalize(Object value) {
        if (value == null || value instanceof String || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Number) {
            checkNumber((Number) value);
            return value;
        }
        if (value instanceof Instant) {
            return ((Instant) value).getEpochSecond();
        }
        if (value instanceof Character) {
            return value.toString();
        }
        if (value instanceof Map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                if (e.getKey() == null) {
                    throw new IllegalArgumentException("JSON object keys cannot be null");
                }
                copy.put(e.getKey().toString(), normalize(e.getValue()));
            }
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof Iterable) {
            List<Object> copy = new ArrayList<>();
            for (Object o : (Iterable<?>) value) {
                copy.add(normalize(o));
            }
            return Collections.unmodifiableList(copy);
        }
        if (value.getClass().isArray()) {
            int n = Array.getLength(value);
            List<Object> copy = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                copy.add(normalize(Array.get(value, i)));
            }
            return Collections.unmodifiableList(copy);
        }
        throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
    }

    /** Parses a JSON object, or returns {@code null} if the text is not a JSON object. */
    static Map<String, Object> parseObject(String json) {
        try {
            return JsonUtil.parseJson(json);
        } catch (JoseException | RuntimeException e) {
            return null;
        }
    }

    private static void checkNumber(Number n) {
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new IllegalArgumentException("JSON cannot hold " + d);
            }
        }
    }

    private static void write(Object value, StringBuilder out) {
        Object v = normalize(value);
        if (v == null) {
            out.append("null");
        } else if (v instanceof String) {
            string((String) v, out);
        } else if (v instanceof Boolean) {
            out.append(v);
        } else if (v instanceof Number) {
            number((Number) v, out);
        } else if (v instanceof Map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                string(e.getKey().toString(), out);
                out.append(':');
                write(e.getValue(), out);
            }
            out.append('}');
        } else {
            out.append('[');
            boolean first = true;
            for (Object o : (List<?>) v) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                write(o, out);
            }
            out.append(']');
        }
    }

    private static void number(Number n, StringBuilder out) {
        if (n instanceof BigDecimal) {
            out.append(((BigDecimal) n).toString());
        } else if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                out.append((long) d);
            } else {
                out.append(n);
            }
        } else if (n instanceof BigInteger || n instanceof Long || n instanceof Integer
                || n instanceof Short || n instanceof Byte) {
            out.append(n);
        } else {
            out.append(new BigDecimal(n.toString()));
        }
    }

    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                case '\b':
                    out.append("\\b");
                    break;
                case '\f':
                    out.append("\\f");
                    break;
                default:
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }
}
