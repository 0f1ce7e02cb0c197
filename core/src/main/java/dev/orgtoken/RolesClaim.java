package dev.orgtoken;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where a tenant's tokens carry roles: a claim name ({@code roles}) or a dotted path into objects
 * ({@code custom.roles}), as a tenant's custom JWT claims script writes them. A value is a string (one
 * role) or an array of strings; anything else, or a missing claim, is no roles: never an error and
 * never a pass, because a requirement for roles then simply fails.
 */
final class RolesClaim {
    /** The most roles read from one token; a longer array is ill-typed. Bounds a cached token's size. */
    static final int MAX_ROLES = 256;
    private static final int MAX_SEGMENTS = 8;

    private final String name;
    private final String[] path;

    private RolesClaim(String name) {
        this.name = name;
        this.path = name.split("\\.", -1);
    }

    /**
     * @param name a claim name or dotted path
     * @throws IllegalArgumentException when blank, with whitespace or control characters, an empty
     *     segment ({@code a..b}, a leading or trailing dot), or more than eight segments
     */
    static RolesClaim of(String name) {
        Objects.requireNonNull(name, "rolesClaim");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("rolesClaim must not be empty");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c)) {
                throw new IllegalArgumentException("rolesClaim must be a claim name or a dotted path without whitespace,"
                        + " was '" + name + "'");
            }
        }
        RolesClaim claim = new RolesClaim(name);
        for (String segment : claim.path) {
            if (segment.isEmpty()) {
                throw new IllegalArgumentException("rolesClaim '" + name + "' has an empty segment (a dotted path is"
                        + " like custom.roles)");
            }
        }
        if (claim.path.length > MAX_SEGMENTS) {
            throw new IllegalArgumentException("rolesClaim '" + name + "' is nested too deeply (at most "
                    + MAX_SEGMENTS + " segments)");
        }
        return claim;
    }

    /**
     * The roles in a token's (frozen) claims. A claim whose exact name is the whole path wins over the
     * path, so {@code https://example.com/roles}-style names work too.
     */
    Set<String> read(Map<String, Object> claims) {
        Object value = claims.get(name);
        if (value == null && path.length > 1) {
            Object at = claims;
            for (String segment : path) {
                at = at instanceof Map<?, ?> object ? object.get(segment) : null;
            }
            value = at;
        }
        if (value instanceof String role) {
            return role.isEmpty() ? Set.of() : Set.of(role);
        }
        if (value instanceof List<?> list && list.size() <= MAX_ROLES) {
            String[] roles = new String[list.size()];
            for (int i = 0; i < roles.length; i++) {
                if (!(list.get(i) instanceof String role) || role.isEmpty()) {
                    return Set.of();   // ill-typed: no roles at all, never a partial reading
                }
                roles[i] = role;
            }
            return roles.length == 0 ? Set.of() : Set.copyOf(java.util.Arrays.asList(roles));
        }
        return Set.of();
    }

    @Override
    public String toString() {
        return name;
    }
}
