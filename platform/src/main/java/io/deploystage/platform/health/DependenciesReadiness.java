package io.deploystage.platform.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.smallrye.common.annotation.Blocking;

/** Ready only while the registry answers and no consumer waits for a dependency (see {@link Dependencies}). */
@Readiness
@Blocking
@ApplicationScoped
public class DependenciesReadiness implements HealthCheck {

    private final Dependencies dependencies;

    DependenciesReadiness(Dependencies dependencies) {
        this.dependencies = dependencies;
    }

    @Override
    public HealthCheckResponse call() {
        return dependencies.readiness();
    }
}
