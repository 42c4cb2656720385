package io.deploystage.platform.inbox;

import java.util.List;

import org.apache.avro.specific.SpecificRecordBase;

/**
 * Fired after a consume transaction commits, so work that waits for committed state can start at once: the events the
 * transaction consumed (new ones only) and how many it emitted.
 */
public record EventsCommitted(String topic, List<? extends SpecificRecordBase> consumed, int emitted) {
}
