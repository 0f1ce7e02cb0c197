package dev.orgtoken.testkit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A machine-to-machine application registered with a {@link LogtoTestIssuer}: its credentials and what
 * Logto's roles would grant it. Changes take effect for the next token request.
 *
 * <p>The three kinds of grant follow Logto's model:
 * <ul>
 *   <li>{@link #grant(String, String...)}: permissions of the app's (global) roles on an API resource,
 *       used for {@code resource=...} without {@code organization_id};</li>
 *   <li>{@link #joinOrganization(String, String...)}: membership of an organization, with the
 *       organization permissions of its organization roles, used for {@code organization_id=...}
 *       without {@code resource} (aud {@code urn:logto:organization:<id>});</li>
 *   <li>{@link #grantInOrganization(String, String, String...)}: permissions on an organization-level
 *       API resource through its organization roles, used for {@code resource=...} with
 *       {@code organization_id=...} (implies membership).</li>
 * </ul>
 * As in Logto, a token carries only the requested scopes the app holds; with no {@code scope}
 * parameter it carries none.
 *
 * <p>Thread-safe.
 */
public final class ClientRegistration {

    private final String clientId;
    private final String clientSecret;
    private final Set<String> knownResources;
    private final Map<String, Set<String>> grants = new LinkedHashMap<>();
    private final Map<String, Set<String>> organizationScopes = new LinkedHashMap<>();
    private final Map<String, Map<String, Set<String>>> organizationResourceGrants = new LinkedHashMap<>();

    ClientRegistration(String clientId, String clientSecret, Set<String> knownResources) {
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.knownResources = knownResources;
    }

    /**
     * The client (application) id.
     *
     * @return the id
     */
    public String clientId() {
        return clientId;
    }

    /**
     * The client secret.
     *
     * @return the secret
     */
    public String clientSecret() {
        return clientSecret;
    }

    /**
     * Grants scopes on an API resource (also registers the resource with the issuer). Calling it again
     * adds scopes; no scopes only registers the resource.
     *
     * @param resource the API resource indicator, e.g. {@code https://api.example.com/global}
     * @param scopes the permissions granted
     * @return this registration
     */
    public synchronized ClientRegistration grant(String resource, String... scopes) {
        Objects.requireNonNull(resource, "resource");
        knownResources.add(resource);
        addAll(grants.computeIfAbsent(resource, r -> new LinkedHashSet<>()), scopes);
        return this;
    }

    /**
     * Makes the app a member of an organization, with these organization scopes (more on later calls).
     *
     * @param organizationId the organization id
     * @param organizationScopes organization permissions, e.g. {@code read:members}
     * @return this registration
     */
    public synchronized ClientRegistration joinOrganization(String organizationId, String... organizationScopes) {
        Objects.requireNonNull(organizationId, "organizationId");
        addAll(this.organizationScopes.computeIfAbsent(organizationId, o -> new LinkedHashSet<>()), organizationScopes);
        return this;
    }

    /**
     * Grants scopes on an organization-level API resource within an organization (implies membership;
     * registers the resource).
     *
     * @param organizationId the organization id
     * @param resource the API resource indicator, e.g. {@code https://api.example.com/org}
     * @param scopes the permissions granted there
     * @return this registration
     */
    public synchronized ClientRegistration grantInOrganization(String organizationId, String resource, String... scopes) {
        Objects.requireNonNull(organizationId, "organizationId");
        Objects.requireNonNull(resource, "resource");
        knownResources.add(resource);
        joinOrganization(organizationId);
        addAll(organizationResourceGrants.computeIfAbsent(organizationId, o -> new LinkedHashMap<>())
                .computeIfAbsent(resource, r -> new LinkedHashSet<>()), scopes);
        return this;
    }

    /**
     * Removes the app from an organization, with everything granted through it.
     *
     * @param organizationId the organization id
     * @return this registration
     */
    public synchronized ClientRegistration leaveOrganization(String organizationId) {
        organizationScopes.remove(organizationId);
        organizationResourceGrants.remove(organizationId);
        return this;
    }

    synchronized boolean isMemberOf(String organizationId) {
        return organizationScopes.containsKey(organizationId);
    }

    synchronized Set<String> grantedScopes(String resource) {
        return copy(grants.get(resource));
    }

    synchronized Set<String> organizationScopes(String organizationId) {
        return copy(organizationScopes.get(organizationId));
    }

    synchronized Set<String> organizationResourceScopes(String organizationId, String resource) {
        Map<String, Set<String>> byResource = organizationResourceGrants.get(organizationId);
        return copy(byResource == null ? null : byResource.get(resource));
    }

    /**
     * Describes the registration by client id; never prints the secret.
     *
     * @return a short description
     */
    @Override
    public String toString() {
        return "ClientRegistration[" + clientId + "]";
    }

    private static Set<String> copy(Set<String> s) {
        return s == null ? Set.of() : Collections.unmodifiableSet(new LinkedHashSet<>(s));
    }

    private static void addAll(Set<String> target, String... scopes) {
        for (String s : scopes) {
            target.add(Objects.requireNonNull(s, "scope"));
        }
    }
}
