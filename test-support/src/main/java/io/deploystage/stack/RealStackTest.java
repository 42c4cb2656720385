package io.deploystage.stack;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of the {@code @QuarkusTest} classes that talk to the real stack of {@link LocalStackResource}: a Kafka client
 * speaking the contracts, and tokens the services accept.
 */
public abstract class RealStackTest {

    protected static EventClient client;

    @BeforeAll
    static void connect() {
        client = EventClient.forStack(LocalStackResource.stack());
    }

    @AfterAll
    static void disconnect() {
        client.close();
    }

    protected static String token(String user, String... roles) {
        return LocalStackResource.stack().tokens().mint(user, roles);
    }
}
