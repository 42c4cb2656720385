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

    /** The calendars of several services, with one query for the scopes set over REST. */
    public Uni<java.util.Map<String, DeploymentCalendar>> forServices(java.util.Collection<String> services) {
        java.util.List<String> scopes = new java.util.ArrayList<>(new java.util.LinkedHashSet<>(services));
        scopes.add(DEFAULT);
        return CalendarEntity.<CalendarEntity>list("scope in ?1", scopes).map(rows -> {
            java.util.Map<String, CalendarEntity> stored = new java.util.HashMap<>();
            rows.forEach(row -> stored.put(row.scope, row));
            DeploymentCalendar fallback = calendarOf(DEFAULT, stored.get(DEFAULT));
            java.util.Map<String, DeploymentCalendar> calendars = new java.util.HashMap<>();
            for (String service : services) {
                calendars.computeIfAbsent(service, s -> DeploymentCalendar.combine(calendarOf(s, stored.get(s)), fallback));
            }
            return calendars;
        });
    }

    /** The calendar of one scope as set over REST, else as configured; null when it has none. */
    public Uni<DeploymentCalendar> scope(String scope) {
        return CalendarEntity.<CalendarEntity>findById(scope).map(stored -> calendarOf(scope, stored));
    }

    private DeploymentCalendar calendarOf(String scope, CalendarEntity stored) {
        return stored != null ? JsonText.read(stored.body, DeploymentCalendar.class)
                : config.calendar().containsKey(scope) ? config.calendar().get(scope).toCalendar() : null;
    }
}
