package io.deploystage.monitor.persistence;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A deployment the monitor watches, from its plan and its step events. */
@Entity
@Table(name = "watched_deployment")
public class WatchedDeploymentEntity extends PanacheEntityBase {

    @Id
    @Column(name = "deployment_id")
    public UUID deploymentId;

    @Column(name = "release_id")
    public String releaseId;

    public String service;

    @Column(name = "last_step")
    public String lastStep;

    @Column(name = "updated_at")
    public Instant updatedAt;

    /** The plan's health checks, as JSON text. */
    public String checks;

    @jakarta.persistence.Transient
    private java.util.List<io.deploystage.monitor.domain.Check> checkList;

    /** The plan's health checks, read once per load. */
    public java.util.List<io.deploystage.monitor.domain.Check> checkList() {
        if (checkList == null) {
            checkList = io.deploystage.platform.persistence.JsonText.read(checks, CHECKS);
        }
        return checkList;
    }

    public void setChecks(java.util.List<io.deploystage.monitor.domain.Check> list) {
        checks = io.deploystage.platform.persistence.JsonText.write(list);
        checkList = java.util.List.copyOf(list);
    }

    private static final com.fasterxml.jackson.core.type.TypeReference<java.util.List<io.deploystage.monitor.domain.Check>> CHECKS =
            new com.fasterxml.jackson.core.type.TypeReference<>() { };

    /** Set once the one RollbackCommand of this deployment is ordered. */
    @Column(name = "rollback_ordered")
    public boolean rollbackOrdered;

    /** The end of the stabilization window once the deployment is DEPLOYED; null while it is under way. */
    @Column(name = "watch_until")
    public Instant watchUntil;

    /** Set when the deployment ended without being deployed (rolled back, failed, aborted): nothing more to watch. */
    public boolean ended;

    /** The plan's metric queries for the pull sources, as JSON text ([] when its metrics are pushed). */
    @Column(name = "metric_queries")
    public String metricQueries = "[]";

    public String version;

    /** The environments the deployment's steps have touched, comma-separated. */
    public String touched = "";

    /** Until when each environment warms up after a step put a version on one of its instances: latency is not judged before. */
    @Column(name = "warm_staging")
    public Instant warmStaging;

    @Column(name = "warm_production")
    public Instant warmProduction;

    public Instant warmUntil(String environment) {
        return "STAGING".equals(environment) ? warmStaging : "PRODUCTION".equals(environment) ? warmProduction : null;
    }

    public void warmUntil(String environment, Instant until) {
        if ("STAGING".equals(environment)) {
            warmStaging = until;
        } else if ("PRODUCTION".equals(environment)) {
            warmProduction = until;
        }
    }

    public boolean touched(String environment) {
        return java.util.Arrays.asList(touched.split(",")).contains(environment);
    }

    /** Whether windows of this deployment are still judged at {@code now}. */
    public boolean watching(Instant now) {
        return !ended && (watchUntil == null || now.isBefore(watchUntil));
    }
}
