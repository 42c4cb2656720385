package io.deploystage.e2e;

import java.util.List;

import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.deploystage.events.EventEnvelope;

/** The events of one release among the records a reader has seen, by type. */
final class Trail {

    private Trail() {
    }

    static <T extends SpecificRecordBase> List<T> of(List<ConsumerRecord<String, Object>> records, String releaseId, Class<T> type) {
        return records.stream().map(ConsumerRecord::value).filter(type::isInstance).map(type::cast)
                .filter(e -> releaseId.equals(EventEnvelope.releaseId(e))).toList();
    }

    static <T extends SpecificRecordBase> List<ConsumerRecord<String, Object>> recordsOf(List<ConsumerRecord<String, Object>> records,
            String releaseId, Class<T> type) {
        return records.stream().filter(r -> type.isInstance(r.value()) && releaseId.equals(r.key())).toList();
    }
}
