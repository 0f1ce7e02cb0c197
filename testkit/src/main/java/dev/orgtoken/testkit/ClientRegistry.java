package dev.orgtoken.testkit;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The machine-to-machine applications and API resources the issuer knows: read by the token endpoint,
 * and by the Management API stub when an application joins an organization.
 */
final class ClientRegistry {

    private final Map<String, ClientRegistration> clients = new ConcurrentHashMap<>();
    private final Set<String> knownResources = ConcurrentHashMap.newKeySet();

    ClientRegistry(String managementApiResource) {
        knownResources.add(managementApiResource);
    }

    ClientRegistration register(String clientId, String clientSecret) {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
        ClientRegistration registration = new ClientRegistration(clientId, clientSecret, knownResources);
        clients.put(clientId, registration);
        return registration;
    }

    void unregister(String clientId) {
        clients.remove(clientId);
    }

    /** The application with this id, or {@code null}. */
    ClientRegistration find(String clientId) {
        return clients.get(clientId);
    }

    void registerResource(String resource) {
        knownResources.add(Objects.requireNonNull(resource, "resource"));
    }

    boolean isKnownResource(String resource) {
        return knownResources.contains(resource);
    }
}
