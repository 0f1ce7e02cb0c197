package dev.orgtoken.spring.secured;

import dev.orgtoken.spring.app.TestApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;

/** The test application with Spring Security on the class path, configured as README says. */
@SpringBootApplication
@Import(TestApplication.class)
public class SecuredApplication {

    /**
     * orgtoken's rules decide; Spring Security asks for no second login.
     *
     * @param http Spring Security's builder
     * @return the chain
     * @throws Exception when Spring Security cannot build it
     */
    @Bean
    SecurityFilterChain api(HttpSecurity http) throws Exception {
        return http.authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
                .csrf(csrf -> csrf.disable())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .build();
    }
}
