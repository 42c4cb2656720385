package io.deploystage.executor.api;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.deploystage.events.OperatorAction;
import io.deploystage.events.OperatorCommand;
import io.deploystage.events.DeploymentPlan;
import io.deploystage.executor.application.CompletedChecklist;
import io.deploystage.executor.application.Deployments;
import io.deploystage.executor.application.ExecutionFlow;
import io.deploystage.executor.domain.StepLifecycle;
import io.deploystage.executor.persistence.DeploymentEntity;
import io.deploystage.executor.persistence.StepEntity;
import io.deploystage.executor.persistence.VerdictEntity;
import io.deploystage.platform.inbox.EventInbox;
import io.deploystage.platform.messaging.RejectedEvent;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * Deployments as operators see and steer them: state and steps (any authenticated caller), approve (role
 * {@code approver}), pause, resume, abort and rollback (role {@code operator}). A command is published on the
 * operator-commands topic as well, so every subscriber sees who did what.
 */
@Path("/deployments")
@Produces(MediaType.APPLICATION_JSON)
public class DeploymentResource {

    private static final Logger LOG = Logger.getLogger(DeploymentResource.class);
    static final String ID = "[0-9a-fA-F-]{36}";

    private final EventInbox inbox;
    private final ExecutionFlow flow;
    private final SecurityIdentity identity;
    private final ObjectMapper json;

    DeploymentResource(EventInbox inbox, ExecutionFlow flow, SecurityIdentity identity, ObjectMapper json) {
        this.inbox = inbox;
        this.flow = flow;
        this.identity = identity;
        this.json = json;
    }

    /** An optional note with a command; {@code stepId} narrows an approval to one step. */
    public record CommandRequest(String stepId, String comment) {
    }

    /** The latest 100 deployments, newest first; of one service or one release when asked. */
    @GET
    @Authenticated
    public Uni<List<Map<String, Object>>> list(@QueryParam("service") @Size(max = 255) String service,
            @QueryParam("release") @Size(max = 200) String release) {
        StringBuilder where = new StringBuilder("deploymentId is not null");
        Map<String, Object> parameters = new java.util.HashMap<>();
        if (service != null) {
            where.append(" and service = :service");
            parameters.put("service", service);
        }
        if (release != null) {
            where.append(" and releaseId = :release");
            parameters.put("release", release);
        }
        return Panache.withSession(() -> DeploymentEntity.<DeploymentEntity>find(where + " order by createdAt desc", parameters).page(0, 100).list())
                .map(all -> all.stream().map(DeploymentResource::summary).toList());
    }

    @GET
    @Path("{id}")
    @Authenticated
    public Uni<Response> get(@PathParam("id") @Pattern(regexp = ID) String id) {
        UUID deploymentId = UUID.fromString(id);
        return Panache.withSession(() -> DeploymentEntity.<DeploymentEntity>findById(deploymentId).chain(d -> d == null
                ? Uni.createFrom().item(notFound(id))
                : StepEntity.<StepEntity>list("deploymentId = ?1 order by phase desc, stepIndex", deploymentId).map(rows -> {
                    Map<String, Object> body = summary(d);
                    body.put("instances", instances(d, rows));
                    body.put("steps", rows.stream().map(DeploymentResource::step).toList());
                    return Response.ok(body).build();
                })));
    }

    /** The deployment checklist as the record of what was done so far (text/markdown). */
    @GET
    @Path("{id}/deployment-checklist")
    @Authenticated
    @Produces("text/markdown")
    public Uni<Response> checklist(@PathParam("id") @Pattern(regexp = ID) String id) {
        UUID deploymentId = UUID.fromString(id);
        return Panache.withSession(() -> DeploymentEntity.<DeploymentEntity>findById(deploymentId).chain(d -> d == null
                ? Uni.createFrom().item(Response.status(404).type(MediaType.TEXT_PLAIN).entity("no deployment " + id + "\n").build())
                : StepEntity.<StepEntity>list("deploymentId", deploymentId).chain(rows -> VerdictEntity.<VerdictEntity>list(
                        "deploymentId = ?1 order by receivedAt", deploymentId).map(verdicts -> Response.ok(CompletedChecklist.render(d, rows, verdicts))
                                .type("text/markdown; charset=utf-8").build()))));
    }

    @POST
    @Path("{id}/approve")
    @RolesAllowed({"approver", "senior"})
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> approve(@PathParam("id") @Pattern(regexp = ID) String id, byte[] body) {
        return send(id, OperatorAction.APPROVE, body);
    }

    @POST
    @Path("{id}/{action: pause|resume|abort|rollback}")
    @RolesAllowed("operator")
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> steer(@PathParam("id") @Pattern(regexp = ID) String id, @PathParam("action") String action, byte[] body) {
        return send(id, OperatorAction.valueOf(action.toUpperCase(java.util.Locale.ROOT)), body);
    }

    /** The optional JSON body ({@code stepId}, {@code comment}); a command needs none. */
    private CommandRequest request(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            CommandRequest request = json.readValue(body, CommandRequest.class);
            if (request.stepId() != null && request.stepId().length() > 200 || request.comment() != null && request.comment().length() > 2000) {
                throw new BadRequestException("stepId is at most 200 characters and comment at most 2000");
            }
            return request;
        } catch (java.io.IOException e) {
            throw new BadRequestException("the body must be JSON like {\"comment\": \"...\", \"stepId\": \"...\"}");
        }
    }

    private Uni<Response> send(String id, OperatorAction action, byte[] body) {
        CommandRequest request;
        try {
            request = request(body);
        } catch (BadRequestException e) {
            return Uni.createFrom().item(Response.status(400).entity(Map.of("error", e.getMessage())).build());
        }
        String operator = identity.getPrincipal().getName();
        java.util.Set<String> roles = java.util.Set.copyOf(identity.getRoles()); // read now, on the request's context
        String stepId = request == null ? null : request.stepId();
        String comment = request == null ? null : request.comment();
        return Panache.withSession(() -> DeploymentEntity.<DeploymentEntity>findById(UUID.fromString(id))).chain(d -> {
            if (d == null) {
                return Uni.createFrom().item(notFound(id));
            }
            OperatorCommand command = OperatorCommand.newBuilder()
                    .setEventId(UUID.randomUUID())
                    .setReleaseId(d.releaseId)
                    .setOccurredAt(Instant.now())
                    .setCausationId(null)
                    .setDeploymentId(id)
                    .setAction(action)
                    .setOperator(operator)
                    .setStepId(stepId)
                    .setComment(comment)
                    .build();
            return inbox.accept(command, c -> flow.onOperatorCommand(c, true, roles))
                    .map(ignored -> {
                        LOG.infof("Release %s: %s %s deployment %s via REST", d.releaseId, operator, action, id);
                        return Response.accepted(Map.of("eventId", command.getEventId().toString(), "deploymentId", id, "action",
                                action.name())).build();
                    })
                    .onFailure(ExecutionFlow.CommandRefused.class).recoverWithItem(e -> Response.status(409)
                            .entity(Map.of("error", e.getMessage())).build())
                    .onFailure(ExecutionFlow.CommandForbidden.class).recoverWithItem(e -> Response.status(403)
                            .entity(Map.of("error", e.getMessage())).build())
                    .onFailure(RejectedEvent.class).recoverWithItem(e -> Response.status(400).entity(Map.of("error", e.getMessage())).build());
        });
    }

    private static Response notFound(String id) {
        return Response.status(404).entity(Map.of("error", "no deployment " + id)).build();
    }

    static Map<String, Object> summary(DeploymentEntity d) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("deploymentId", d.deploymentId.toString());
        body.put("releaseId", d.releaseId);
        body.put("service", d.service);
        body.put("version", d.version);
        body.put("strategy", d.strategy);
        body.put("state", d.state.name());
        body.put("phase", d.phase.name());
        body.put("nextStep", d.nextStep);
        if (d.reason != null) {
            body.put("reason", d.reason);
        }
        body.put("updatedAt", d.updatedAt.toString());
        return body;
    }

    /** Which version each production instance runs by what ran: this release's, "previous", or "unknown" when a step broke off. */
    private static Map<String, String> instances(DeploymentEntity d, List<StepEntity> rows) {
        DeploymentPlan plan = Deployments.plan(d);
        Map<String, String> versions = new LinkedHashMap<>();
        StepLifecycle.instances(Deployments.lifecycle(plan.getSteps()), Deployments.lifecycle(plan.getRollbackProcedure()), Deployments.rows(rows))
                .forEach((instance, version) -> versions.put(instance, switch (version) {
                    case NEW -> d.version;
                    case PREVIOUS -> "previous";
                    case UNKNOWN -> "unknown";
                }));
        return versions;
    }

    private static Map<String, Object> step(StepEntity row) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("phase", row.phase.name());
        body.put("index", row.stepIndex);
        body.put("stepId", row.stepId);
        body.put("environment", row.environment);
        body.put("kind", row.kind);
        body.put("status", row.status);
        body.put("runs", row.runs);
        if (row.detail != null) {
            body.put("detail", row.detail);
        }
        return body;
    }
}
