package dev.orgtoken.testkit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * An organization held by the Management API stub, shaped like Logto's {@code Organization} entity,
 * with its user members and their organization roles.
 */
final class StubOrganization {
    final String id;
    final String name;
    final String description;
    final long createdAt;
    /** User id to member, in the order added. Guarded by this. */
    private final Map<String, Member> members = new LinkedHashMap<>();

    /** A user member: when it joined, and the names of its organization roles. */
    private record Member(long addedAt, Set<String> roles) {
    }

    StubOrganization(String id, String name, String description, long createdAt) {
        this.id = id;
        this.name = name;
        this.description = description;
        this.createdAt = createdAt;
    }

    /** Adds users (existing members are left as they are, as Logto ignores them). */
    synchronized void addUsers(List<String> userIds, long now) {
        for (String userId : userIds) {
            members.putIfAbsent(userId, new Member(now, new LinkedHashSet<>()));
        }
    }

    /** Adds one user with organization roles (added to its roles if it is a member already). */
    synchronized void addUser(String userId, List<String> roleNames, long now) {
        members.computeIfAbsent(userId, u -> new Member(now, new LinkedHashSet<>())).roles().addAll(roleNames);
    }

    synchronized Set<String> users() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(members.keySet()));
    }

    /**
     * The members as {@code GET /api/organizations/{id}/users} lists them: Logto's {@code UserInfo}
     * fields plus {@code organizationRoles}, ordered by user id (Logto's query orders so), one page.
     *
     * @param roleId gives each role name its id (stable for the issuer, like a role of the template)
     */
    synchronized List<Object> usersPage(int offset, int limit, Function<String, String> roleId) {
        List<Object> page = new ArrayList<>();
        List<Map.Entry<String, Member>> sorted = new ArrayList<>(new TreeMap<>(members).entrySet());
        for (int i = offset; i < sorted.size() && page.size() < limit; i++) {
            page.add(userJson(sorted.get(i).getKey(), sorted.get(i).getValue(), roleId));
        }
        return page;
    }

    synchronized int userCount() {
        return members.size();
    }

    private static Map<String, Object> userJson(String userId, Member member, Function<String, String> roleId) {
        // The stub knows users only by id: the profile fields a real tenant would fill stay empty.
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("id", userId);
        user.put("username", null);
        user.put("primaryEmail", null);
        user.put("primaryPhone", null);
        user.put("name", null);
        user.put("avatar", null);
        user.put("customData", Map.of());
        user.put("identities", Map.of());
        user.put("lastSignInAt", null);
        user.put("createdAt", member.addedAt());
        user.put("updatedAt", member.addedAt());
        user.put("profile", Map.of());
        user.put("applicationId", null);
        user.put("isSuspended", false);
        List<Object> roles = new ArrayList<>();
        for (String role : new TreeSet<>(member.roles())) {   // Logto orders them by name
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("id", roleId.apply(role));
            entry.put("name", role);
            roles.add(entry);
        }
        user.put("organizationRoles", roles);
        return user;
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("name", name);
        m.put("description", description);
        m.put("tenantId", "default");
        m.put("createdAt", createdAt);
        m.put("customData", Map.of());
        m.put("isMfaRequired", false);
        return m;
    }
}
