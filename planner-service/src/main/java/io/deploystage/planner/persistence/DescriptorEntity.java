package io.deploystage.planner.persistence;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** One registered version of a service's deploy descriptor. */
@Entity
@Table(name = "deploy_descriptor")
@IdClass(DescriptorEntity.Key.class)
public class DescriptorEntity extends PanacheEntityBase {

    @Id
    public String service;

    @Id
    public int version;

    /** The descriptor as JSON. */
    public String body;

    @Column(name = "created_by")
    public String createdBy;

    @Column(name = "created_at")
    public Instant createdAt;

    /** The composite key. */
    public static class Key implements Serializable {
        public String service;
        public int version;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.version == version && Objects.equals(k.service, service);
        }

        @Override
        public int hashCode() {
            return Objects.hash(service, version);
        }
    }
}
