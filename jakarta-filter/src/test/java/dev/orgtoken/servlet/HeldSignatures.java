package dev.orgtoken.servlet;

import java.security.InvalidKeyException;
import java.security.InvalidParameterException;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.Signature;
import java.security.SignatureException;
import java.security.SignatureSpi;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A real JCA provider for tests that holds each ECDSA signature check until the test lets it go,
 * then verifies with the JDK's own implementation. It makes "every signature check is busy" a
 * state a test sets up exactly, instead of a load it hopes is heavy enough. Install it once, name
 * it with {@code signatureProvider(HeldSignatures.NAME)}, and call {@link #hold()} /
 * {@link #releaseAll()}.
 */
final class HeldSignatures extends Provider {
    private static final long serialVersionUID = 1L;
    static final String NAME = "orgtoken-test-held";

    /** Released while not holding; checks wait on it while holding. */
    private static volatile CountDownLatch gate = new CountDownLatch(0);
    /** One permit per check that has started and is being held. */
    static final Semaphore STARTED = new Semaphore(0);

    private HeldSignatures() {
        super(NAME, "1.0", "holds ECDSA checks for tests");
        for (String alg : new String[] {"SHA256withECDSA", "SHA384withECDSA", "SHA512withECDSA"}) {
            putService(new Service(this, "Signature", alg, Held.class.getName(), null, null));
        }
    }

    static synchronized void install() {
        if (Security.getProvider(NAME) == null) {
            Security.addProvider(new HeldSignatures());
        }
    }

    /** From now on every check waits until {@link #releaseAll()}. */
    static void hold() {
        gate = new CountDownLatch(1);
    }

    static void releaseAll() {
        gate.countDown();
    }

    /** Waits until a check is being held (it has taken its turn in the verification stage). */
    static void awaitHeldCheck() throws InterruptedException {
        if (!STARTED.tryAcquire(10, TimeUnit.SECONDS)) {
            throw new AssertionError("no signature check started");
        }
    }

    /** The service: the JDK's algorithm of the same name, behind the gate. */
    public static final class Held extends SignatureSpi {
        private Signature delegate;
        private final String algorithm;

        public Held() {
            // One class serves three algorithms; jose4j asks for the ECDSA variant of its alg.
            this.algorithm = null;
        }

        private Signature delegate(PublicKey key) throws InvalidKeyException {
            if (delegate == null) {
                int bits = ((java.security.interfaces.ECPublicKey) key).getParams().getCurve().getField().getFieldSize();
                String name = bits <= 256 ? "SHA256withECDSA" : bits <= 384 ? "SHA384withECDSA" : "SHA512withECDSA";
                try {
                    delegate = Signature.getInstance(name, "SunEC");
                } catch (NoSuchAlgorithmException | java.security.NoSuchProviderException e) {
                    throw new InvalidKeyException(e);
                }
            }
            return delegate;
        }

        @Override
        protected void engineInitVerify(PublicKey publicKey) throws InvalidKeyException {
            delegate(publicKey).initVerify(publicKey);
        }

        @Override
        protected void engineInitSign(PrivateKey privateKey) {
            throw new UnsupportedOperationException("verification only");
        }

        @Override
        protected void engineUpdate(byte b) throws SignatureException {
            delegate.update(b);
        }

        @Override
        protected void engineUpdate(byte[] b, int off, int len) throws SignatureException {
            delegate.update(b, off, len);
        }

        @Override
        protected byte[] engineSign() {
            throw new UnsupportedOperationException("verification only");
        }

        @Override
        protected boolean engineVerify(byte[] sigBytes) throws SignatureException {
            CountDownLatch current = gate;
            if (current.getCount() > 0) {
                STARTED.release();
                try {
                    current.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SignatureException("interrupted");
                }
            }
            return delegate.verify(sigBytes);
        }

        @Override
        @SuppressWarnings("deprecation")
        protected void engineSetParameter(String param, Object value) {
            throw new InvalidParameterException(param);
        }

        @Override
        @SuppressWarnings("deprecation")
        protected Object engineGetParameter(String param) {
            throw new InvalidParameterException(param);
        }
    }
}
