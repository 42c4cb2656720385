package io.deploystage.executor.application;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.deploystage.executor.domain.DeploymentState;
import io.deploystage.platform.runtime.PeriodicTask;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * The deployments by state as gauges ({@code deploystage_deployments{state="ROLLED_BACK"}} …), read from the database
 * every 15 s, so every instance reports the same numbers: how many are running, paused, waiting for a window, and how
 * many ended how (their increase over an hour is the rollbacks of that hour).
 */
@ApplicationScoped
public class DeploymentGauges {

    private final Map<DeploymentState, AtomicLong> counts = new EnumMap<>(DeploymentState.class);
    private PeriodicTask task;

    DeploymentGauges(MeterRegistry meters) {
        for (DeploymentState state : DeploymentState.values()) {
            AtomicLong count = new AtomicLong();
            counts.put(state, count);
            meters.gauge("deploystage.deployments", List.of(io.micrometer.core.instrument.Tag.of("state", state.name())), count, AtomicLong::get);
        }
    }

    void start(@Observes StartupEvent ignored, Vertx vertx) {
        task = PeriodicTask.start("Deployment gauges", vertx, Duration.ofSeconds(15), this::measure);
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (task != null) {
            task.stop();
        }
    }

    Uni<Void> measure() {
        return Panache.withSession(() -> Panache.getSession().chain(session -> session.<Object[]>createNativeQuery(
                        "select state, count(*) from deployment group by state").getResultList()))
                .invoke(rows -> {
                    Map<DeploymentState, Long> seen = new EnumMap<>(DeploymentState.class);
                    for (Object[] row : rows) {
                        try {
                            seen.put(DeploymentState.valueOf(String.valueOf(row[0])), ((Number) row[1]).longValue());
                        } catch (IllegalArgumentException unknown) {
                            // a state this version does not know (a newer instance wrote it): not counted here
                        }
                    }
                    counts.forEach((state, count) -> count.set(seen.getOrDefault(state, 0L)));
                })
                .replaceWithVoid();
    }
}
