package dev.orgtoken.testkit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** An organization held by the Management API stub, shaped like Logto's {@code Organization} entity. */
final class StubOrganization {
    final String id;
    final String name;
    final String description;
    final long createdAt;
    private final Set<String> users = new LinkedHashSet<>();

    StubOrganization(String id, String name, String description, long createdAt) {
        this.id = id;
        this.name = name;
        this.description = description;
        this.createdAt = createdAt;
    }

    synchronized void addUsers(List<String> userIds) {
        users.addAll(userIds);
    }

    synchronized Set<String> users() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(users));
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
