package io.deploystage.platform.messaging;

/**
 * A record could not be handled because something the service stands on (PostgreSQL, the registry) does not answer:
 * the record is not at fault. The consumer waits for it and tries again; such a record is never dead-lettered.
 */
public class DependencyUnavailable extends RuntimeException {

    public DependencyUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
