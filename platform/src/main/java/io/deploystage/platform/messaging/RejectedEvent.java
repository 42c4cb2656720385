package io.deploystage.platform.messaging;

/**
 * A record that cannot be read or fails validation (garbage bytes, unknown schema, missing fields, an enum value
 * this version does not know). It goes to the dead-letter topic with this message as the reason.
 */
public class RejectedEvent extends RuntimeException {

    public RejectedEvent(String reason) {
        super(reason);
    }
}
