package io.deploystage.platform.inbox;

/** Fired after a consume transaction commits, so work that waits for committed state can start at once. */
public record EventsCommitted(String topic, int events) {
}
