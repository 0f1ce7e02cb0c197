/**
 * JUnit 5 support: {@link dev.orgtoken.testkit.junit.LogtoIssuerExtension} runs a
 * {@link dev.orgtoken.testkit.LogtoTestIssuer} per test class or per test method and makes the
 * application under test trust it. JUnit Jupiter is an optional dependency of the testkit: tests
 * bring their own.
 */
package dev.orgtoken.testkit.junit;
