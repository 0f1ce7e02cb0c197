package dev.orgtoken.jwks;

import dev.orgtoken.jws.Algorithm;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jose4j.json.JsonUtil;
import org.jose4j.lang.JoseException;

/**
 * Reads the Project Wycheproof vectors copied to {@code src/test/resources/wycheproof/} (see the
 * {@code PROVENANCE.md} there) and gives the other packages' tests the key-set parser the verifier
 * really uses, so a vector's key is trusted or skipped exactly as a JWKS would make it.
 */
public final class WycheproofVectors {
    private WycheproofVectors() {}

    /** One test of a vector file, with the group it belongs to. */
    public record Vector(Map<String, Object> group, Map<String, Object> test) {
        public int tcId() {
            return ((Number) test.get("tcId")).intValue();
        }

        /** @return {@code valid}, {@code invalid} or {@code acceptable} */
        public String result() {
            return (String) test.get("result");
        }

        public String comment() {
            return String.valueOf(test.get("comment"));
        }

        public String string(String member) {
            return (String) test.get(member);
        }

        public byte[] hex(String member) {
            return HexFormat.of().parseHex((String) test.get(member));
        }

        @Override
        public String toString() {
            return "tcId " + tcId() + " (" + result() + ", " + comment() + ")";
        }
    }

    /**
     * @param file a file name in {@code wycheproof/} on the test class path
     * @return the document
     */
    public static Map<String, Object> document(String file) {
        String resource = "wycheproof/" + file;
        try (InputStream in = WycheproofVectors.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            return JsonUtil.parseJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (JoseException e) {
            throw new IllegalStateException("cannot parse " + resource, e);
        }
    }

    /** @return every test of the file, in file order, each with its group */
    @SuppressWarnings("unchecked")
    public static List<Vector> vectors(String file) {
        Map<String, Object> document = document(file);
        List<Vector> out = new ArrayList<>();
        for (Object g : (List<Object>) document.get("testGroups")) {
            Map<String, Object> group = (Map<String, Object>) g;
            for (Object t : (List<Object>) group.get("tests")) {
                out.add(new Vector(group, (Map<String, Object>) t));
            }
        }
        int declared = ((Number) document.get("numberOfTests")).intValue();
        if (declared != out.size()) {
            throw new IllegalStateException(file + " declares " + declared + " tests but holds " + out.size());
        }
        return out;
    }

    /**
     * A JWK or a JWK set (as a vector gives it) as a JWKS document.
     *
     * @param jwkOrSet a JWK object or a {@code {"keys":[...]}} object, or null
     * @return JSON text of a key set ({@code {"keys":[]}} for null)
     */
    @SuppressWarnings("unchecked")
    public static String keySetJson(Object jwkOrSet) {
        if (jwkOrSet == null) {
            return "{\"keys\":[]}";
        }
        Map<String, Object> map = (Map<String, Object>) jwkOrSet;
        if (map.containsKey("keys")) {
            return JsonUtil.toJson(map);
        }
        return "{\"keys\":[" + JsonUtil.toJson(map) + "]}";
    }

    /**
     * What {@link KeySetParser} trusts in a key set; an unusable set (no usable key at all) is the
     * empty map, as it is for a verifier that has nothing cached.
     *
     * @param keySetJson a JWKS document
     * @param allowed the algorithm allow-list
     * @return the trusted keys by kid
     */
    public static Map<String, VerificationKey> trustedKeys(String keySetJson, Set<Algorithm> allowed) {
        try {
            return new KeySetParser(allowed).parse(keySetJson);
        } catch (IllegalArgumentException e) {
            return Map.of();
        }
    }
}
