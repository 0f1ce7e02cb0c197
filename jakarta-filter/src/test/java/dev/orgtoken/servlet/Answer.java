package dev.orgtoken.servlet;

import io.restassured.http.Header;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP answer, from REST Assured or from {@link RawHttp}: status, headers (names lower-cased)
 * and body text.
 */
record Answer(int status, Map<String, List<String>> headers, String body) {

    static Answer of(Response response) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (Header h : response.headers()) {
            headers.computeIfAbsent(h.getName().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(h.getValue());
        }
        return new Answer(response.statusCode(), headers, response.asString());
    }

    /** @return the only value of the header, or null when absent; fails when repeated */
    String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw new AssertionError("header " + name + " sent " + values.size() + " times: " + values);
        }
        return values.get(0);
    }

    /** Every header line, for "never contains the token" checks. */
    String headerText() {
        StringBuilder b = new StringBuilder();
        headers.forEach((k, v) -> v.forEach(value -> b.append(k).append(": ").append(value).append('\n')));
        return b.toString();
    }

    @Override
    public String toString() {
        String shown = body.length() > 300 ? body.substring(0, 300) + "..." : body;
        return status + " " + headers + " " + shown;
    }
}
