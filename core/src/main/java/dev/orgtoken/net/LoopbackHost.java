package dev.orgtoken.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Whether a URL's host names this machine without asking DNS: {@code localhost}, an IPv4 literal
 * in {@code 127.0.0.0/8}, or an IPv6 loopback literal such as {@code [::1]}. Names under
 * {@code .localhost} do not count: RFC 6761 reserves them for loopback, but the JDK resolves them
 * through DNS like any other name.
 *
 * <p>Names are never resolved: a DNS name that happens to resolve to 127.0.0.1 today is not a
 * promise that traffic stays on the machine, so it does not count. Unusual IPv4 spellings
 * ({@code 127.1}, leading zeros, hexadecimal) do not count either: the check fails closed.
 */
public final class LoopbackHost {
    private static final Pattern IPV6_LITERAL = Pattern.compile("[0-9a-f]*:[0-9a-f:.]*");
    /** Four decimal octets without leading zeros (which some parsers read as octal). */
    private static final Pattern DOTTED_QUAD =
            Pattern.compile("(0|[1-9]\\d{0,2})\\.(0|[1-9]\\d{0,2})\\.(0|[1-9]\\d{0,2})\\.(0|[1-9]\\d{0,2})");

    private LoopbackHost() {}

    /**
     * @param host {@link java.net.URI#getHost()}: a name, an IPv4 literal or a bracketed IPv6 literal
     * @return true only for the loopback forms above
     */
    public static boolean is(String host) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);   // an absolute name: "localhost." is "localhost"
        }
        if (h.equals("localhost")) {
            // Not "*.localhost": RFC 6761 asks resolvers to answer loopback for it, but the JDK asks
            // DNS like for any name, so such a URL may well leave the machine.
            return true;
        }
        var quad = DOTTED_QUAD.matcher(h);
        if (quad.matches()) {
            for (int i = 1; i <= 4; i++) {
                if (Integer.parseInt(quad.group(i)) > 255) {
                    return false;
                }
            }
            return Integer.parseInt(quad.group(1)) == 127;
        }
        if (h.startsWith("[") && h.endsWith("]") && IPV6_LITERAL.matcher(h.substring(1, h.length() - 1)).matches()) {
            try {
                // Only hex digits, colons and dots: getByName parses the literal and never asks DNS.
                return InetAddress.getByName(h.substring(1, h.length() - 1)).isLoopbackAddress();
            } catch (UnknownHostException | IllegalArgumentException e) {
                return false;
            }
        }
        return false;
    }
}
