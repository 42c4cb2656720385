package io.deploystage.monitor.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** The next offset to apply of one partition: records below it were applied, in the transaction that moved it. */
@Entity
@Table(name = "consumed_offset")
public class ConsumedOffsetEntity extends PanacheEntityBase {

    @Id
    @Column(name = "offset_key")
    public String offsetKey;

    @Column(name = "next_offset")
    public long nextOffset;

    public static String key(String topic, int partition) {
        return topic + "/" + partition;
    }
}
