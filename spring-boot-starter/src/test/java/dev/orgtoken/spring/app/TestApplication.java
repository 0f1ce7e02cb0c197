package dev.orgtoken.spring.app;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A plain Spring Boot application: the starter on the class path and {@code orgtoken.yaml} beside it. */
@SpringBootApplication
public class TestApplication {
}
