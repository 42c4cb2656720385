package io.deploystage.planner.api;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;

import io.deploystage.planner.application.PlanningFlow;
import io.deploystage.planner.domain.DeployDescriptor;
import io.deploystage.planner.persistence.DescriptorEntity;
import io.deploystage.planner.persistence.PlanEntity;
import io.deploystage.platform.domain.Texts;
import io.deploystage.platform.persistence.JsonText;
import io.deploystage.platform.outbox.Outbox;
import io.deploystage.platform.persistence.ReleaseLock;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * Deploy descriptors (role {@code operator} registers a new version), plans and their artifacts (any
 * authenticated caller), and the release of a plan held for escalation (role {@code team-lead}).
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class PlannerResource {

    private static final Logger LOG = Logger.getLogger(PlannerResource.class);
    static final String ID = Texts.ID;
    static final String MARKDOWN = "text/markdown";

    private final PlanningFlow flow;
    private final Outbox outbox;
    private final SecurityIdentity identity;

    PlannerResource(PlanningFlow flow, Outbox outbox, SecurityIdentity identity) {
        this.flow = flow;
        this.outbox = outbox;
        this.identity = identity;
    }

    @PUT
    @Path("descriptors/{service}")
    @RolesAllowed("operator")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> register(@PathParam("service") @Pattern(regexp = ID) @Size(max = 100) String service,
            @NotNull @Valid DescriptorRequest request) {
        DeployDescriptor descriptor = request.toDescriptor(service);
        List<String> problems = new java.util.ArrayList<>(descriptor.problems());
        problems.addAll(MetricQueryCheck.problems(descriptor));
        if (!problems.isEmpty()) {
            return Uni.createFrom().item(Response.status(400).entity(Map.of("error", "the deploy descriptor is not valid",
                    "problems", problems)).build());
        }
        String by = identity.getPrincipal().getName();
        return Panache.withTransaction(() -> ReleaseLock.lock("descriptor:" + service)
                .chain(() -> DescriptorEntity.<DescriptorEntity>find("service = ?1 order by version desc", service).<DescriptorEntity>firstResult())
                .chain(latest -> {
                    DescriptorEntity entity = new DescriptorEntity();
                    entity.service = service;
                    entity.version = latest == null ? 1 : latest.version + 1;
                    entity.body = JsonText.write(descriptor);
                    entity.createdBy = by;
                    entity.createdAt = Instant.now();
                    return entity.persist().replaceWith(entity);
                })
                .call(entity -> flow.onDescriptorRegistered(service).call(outbox::stage)))
                .invoke(entity -> LOG.infof("%s registered deploy descriptor %s v%d", by, service, entity.version))
                .map(entity -> Response.status(201).entity(Map.of("service", service, "version", entity.version)).build());
    }

    @GET
    @Path("descriptors/{service}")
    @Authenticated
    public Uni<Response> descriptor(@PathParam("service") @Pattern(regexp = ID) @Size(max = 100) String service) {
        return Panache.withSession(() -> DescriptorEntity.<DescriptorEntity>find("service = ?1 order by version desc", service).<DescriptorEntity>firstResult())
                .map(entity -> entity == null ? problem(404, "no deploy descriptor for " + service)
                        : Response.ok(Map.of("service", service, "version", entity.version, "createdBy", entity.createdBy,
                                "descriptor", JsonText.read(entity.body, DeployDescriptor.class))).build());
    }

    @GET
    @Path("plans/{releaseId}")
    @Authenticated
    public Uni<Response> plan(@PathParam("releaseId") @Pattern(regexp = ID) @Size(max = 200) String releaseId) {
        return find(releaseId, plan -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("releaseId", plan.releaseId);
            body.put("deploymentId", plan.deploymentId);
            body.put("status", plan.status);
            body.put("reason", plan.reason);
            body.put("strategy", plan.strategy);
            body.put("descriptorVersion", plan.descriptorVersion);
            body.put("releasedBy", plan.releasedBy);
            body.put("plan", plan.plan == null ? null : JsonText.read(plan.plan, Object.class));
            body.put("deploymentChecklist", plan.checklist);
            body.put("rollbackPlan", plan.rollbackPlan);
            return Response.ok(body).build();
        });
    }

    @GET
    @Path("plans/{releaseId}/deployment-checklist")
    @Produces({MARKDOWN, MediaType.APPLICATION_JSON})
    @Authenticated
    public Uni<Response> checklist(@PathParam("releaseId") @Pattern(regexp = ID) @Size(max = 200) String releaseId) {
        return find(releaseId, plan -> artifact(plan.checklist, releaseId));
    }

    @GET
    @Path("plans/{releaseId}/rollback-plan")
    @Produces({MARKDOWN, MediaType.APPLICATION_JSON})
    @Authenticated
    public Uni<Response> rollbackPlan(@PathParam("releaseId") @Pattern(regexp = ID) @Size(max = 200) String releaseId) {
        return find(releaseId, plan -> artifact(plan.rollbackPlan, releaseId));
    }

    @POST
    @Path("plans/{releaseId}/release")
    @RolesAllowed("team-lead") // the spec: escalate what cannot be undone to the team lead
    public Uni<Response> release(@PathParam("releaseId") @Pattern(regexp = ID) @Size(max = 200) String releaseId) {
        String approver = identity.getPrincipal().getName();
        return Panache.withTransaction(() -> ReleaseLock.lock(releaseId)
                        .chain(() -> flow.release(releaseId, approver))
                        .call(outbox::stage))
                .map(events -> Response.ok(Map.of("releaseId", releaseId, "status", PlanningFlow.ISSUED, "releasedBy", approver)).build())
                .onFailure(PlanningFlow.PlanRefused.class)
                .recoverWithItem(e -> problem(((PlanningFlow.PlanRefused) e).status(), e.getMessage()));
    }

    private static Uni<Response> find(String releaseId, java.util.function.Function<PlanEntity, Response> view) {
        return Panache.withSession(() -> PlanEntity.<PlanEntity>find("releaseId", releaseId).<PlanEntity>firstResult())
                .map(plan -> plan == null ? problem(404, "no plan for release " + releaseId) : view.apply(plan));
    }

    private static Response artifact(String markdown, String releaseId) {
        if (markdown == null) {
            return problem(404, "the plan of " + releaseId + " has no artifacts yet");
        }
        return Response.ok(markdown, MARKDOWN + "; charset=UTF-8").build();
    }

    static Response problem(int status, String message) {
        return Response.status(status).entity(Map.of("error", message)).type(MediaType.APPLICATION_JSON).build();
    }
}
