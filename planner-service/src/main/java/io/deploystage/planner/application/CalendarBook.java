package io.deploystage.planner.application;

import jakarta.enterprise.context.ApplicationScoped;

import io.deploystage.planner.config.PlannerConfig;
import io.deploystage.planner.persistence.CalendarEntity;
import io.deploystage.platform.domain.DeploymentCalendar;
import io.deploystage.platform.persistence.JsonText;
import io.smallrye.mutiny.Uni;

/**
 * The deployment calendars: set over REST per scope (a service, or {@link #DEFAULT}), else from configuration. A
 * service's calendar is its own windows (else the default's) with the freezes of both.
 */
@ApplicationScoped
public class CalendarBook {

    public static final String DEFAULT = "default";

    private final PlannerConfig config;

    CalendarBook(PlannerConfig config) {
        this.config = config;
    }

    /** The calendar a release of the service is planned by (inside the caller's session). */
    public Uni<DeploymentCalendar> forService(String service) {
        return scope(service).chain(own -> scope(DEFAULT).map(fallback -> DeploymentCalendar.combine(own, fallback)));
    }

    /** The calendar of one scope as set over REST, else as configured; null when it has none. */
    public Uni<DeploymentCalendar> scope(String scope) {
        return CalendarEntity.<CalendarEntity>findById(scope).map(stored -> stored != null ? JsonText.read(stored.body, DeploymentCalendar.class)
                : config.calendar().containsKey(scope) ? config.calendar().get(scope).toCalendar() : null);
    }
}
