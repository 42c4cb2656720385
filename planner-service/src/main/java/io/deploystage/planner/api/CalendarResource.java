package io.deploystage.planner.api;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;

import io.deploystage.planner.application.CalendarBook;
import io.deploystage.planner.persistence.CalendarEntity;
import io.deploystage.platform.domain.DeploymentCalendar;
import io.deploystage.platform.persistence.JsonText;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * The deployment calendar over REST: any authenticated caller reads it; role {@code operator} sets or removes the
 * calendar of a scope (a service, or {@code default} for every service). Plans made afterwards use it.
 */
@Path("/calendar")
@Produces(MediaType.APPLICATION_JSON)
public class CalendarResource {

    private static final Logger LOG = Logger.getLogger(CalendarResource.class);

    private final CalendarBook book;
    private final SecurityIdentity identity;

    CalendarResource(CalendarBook book, SecurityIdentity identity) {
        this.book = book;
        this.identity = identity;
    }

    /** A calendar as set over REST: times are local to the zone, freezes are ISO-8601 instants. */
    public record CalendarRequest(@NotBlank @Size(max = 64) String zone, @Valid @Size(max = 50) List<@NotNull @Valid WindowRequest> windows,
            @Valid @Size(max = 200) List<@NotNull @Valid FreezeRequest> freezes) {

        DeploymentCalendar toCalendar() {
            return new DeploymentCalendar(ZoneId.of(zone), windows == null ? List.of()
                    : windows.stream().map(w -> DeploymentCalendar.Window.of(w.days(), w.opens(), w.closes())).toList(),
                    freezes == null ? List.of() : freezes.stream().map(f -> DeploymentCalendar.Freeze.of(f.from(), f.until(), f.reason())).toList());
        }
    }

    public record WindowRequest(@NotNull @Size(min = 1, max = 7) Set<DayOfWeek> days, @NotNull @Pattern(regexp = "\\d{2}:\\d{2}") String opens,
            @NotNull @Pattern(regexp = "\\d{2}:\\d{2}") String closes) {
    }

    public record FreezeRequest(@NotNull @Size(max = 40) String from, @NotNull @Size(max = 40) String until, @NotBlank @Size(max = 500) String reason) {
    }

    @GET
    @Path("{scope}")
    @Authenticated
    public Uni<Response> get(@PathParam("scope") @Pattern(regexp = PlannerResource.ID) @Size(max = 100) String scope) {
        return Panache.withSession(() -> book.scope(scope).chain(own -> book.forService(scope).map(effective -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("scope", scope);
            body.put("calendar", own);
            if (!CalendarBook.DEFAULT.equals(scope)) {
                body.put("effective", effective);
            }
            body.put("rules", effective.windowsText());
            Instant now = Instant.now();
            Instant opens = effective.nextOpen(now);
            body.put("openNow", effective.isOpen(now));
            body.put("nextOpen", opens == null ? null : opens.toString());
            return Response.ok(body).build();
        })));
    }

    @PUT
    @Path("{scope}")
    @RolesAllowed("operator")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> set(@PathParam("scope") @Pattern(regexp = PlannerResource.ID) @Size(max = 100) String scope,
            @NotNull @Valid CalendarRequest request) {
        DeploymentCalendar calendar;
        try {
            calendar = request.toCalendar();
        } catch (DateTimeException | IllegalArgumentException bad) {
            return Uni.createFrom().item(Response.status(400).entity(Map.of("error", "the calendar is not valid: " + bad.getMessage())).build());
        }
        String by = identity.getPrincipal().getName();
        return Panache.withTransaction(() -> CalendarEntity.<CalendarEntity>findById(scope).chain(existing -> {
            CalendarEntity entity = existing != null ? existing : new CalendarEntity();
            entity.scope = scope;
            entity.body = JsonText.write(calendar);
            entity.updatedBy = by;
            entity.updatedAt = Instant.now();
            return existing != null ? Uni.createFrom().item(entity) : entity.persist();
        })).map(saved -> {
            LOG.infof("Deployment calendar of %s set by %s: %s; %d freeze(s)", scope, by, calendar.windowsText(), calendar.freezes().size());
            return Response.ok(Map.of("scope", scope, "calendar", calendar, "updatedBy", by)).build();
        });
    }

    @DELETE
    @Path("{scope}")
    @RolesAllowed("operator")
    public Uni<Response> remove(@PathParam("scope") @Pattern(regexp = PlannerResource.ID) @Size(max = 100) String scope) {
        String by = identity.getPrincipal().getName();
        return Panache.withTransaction(() -> CalendarEntity.deleteById(scope)).map(deleted -> {
            if (deleted) {
                LOG.infof("Deployment calendar of %s removed by %s: the configured one applies", scope, by);
            }
            return deleted ? Response.noContent().build() : Response.status(404).entity(Map.of("error", "no calendar set for " + scope)).build();
        });
    }
}
