package io.deploystage.gate.api;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.apache.avro.specific.SpecificRecordBase;
import org.jboss.logging.Logger;

import io.deploystage.events.ChangeProfile;
import io.deploystage.events.DbMigration;
import io.deploystage.events.GateResult;
import io.deploystage.gate.api.reports.CoverageXml;
import io.deploystage.gate.api.reports.JUnitXml;
import io.deploystage.gate.api.reports.ParsedReport;
import io.deploystage.gate.api.reports.ReportRejected;
import io.deploystage.gate.api.reports.Sarif;
import io.deploystage.gate.application.GateFlow;
import io.deploystage.gate.config.GateConfig;
import io.deploystage.gate.domain.FindingBudget;
import io.deploystage.gate.domain.Acceptance;
import io.deploystage.gate.domain.Finding;
import io.deploystage.gate.domain.GateEvaluator;
import io.deploystage.gate.domain.GateReport;
import io.deploystage.gate.domain.Stage;
import io.deploystage.gate.domain.Waiver;
import io.deploystage.gate.messaging.GateEvents;
import io.deploystage.gate.persistence.ReleaseEntity;
import io.deploystage.platform.domain.Texts;
import io.deploystage.platform.outbox.Outbox;
import io.deploystage.platform.persistence.ReleaseLock;
import io.deploystage.platform.runtime.OffLoop;
import io.deploystage.platform.tracing.ReleaseTraces;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * The gate's API for CI systems (role {@code ci}: candidates, results, standard reports) and approvers (role
 * {@code approver}: waivers). What CI sends becomes the same Avro event a Kafka publisher would send, committed
 * through the outbox; the gate then decides on it like on any other event.
 */
@Path("/releases")
@Produces(MediaType.APPLICATION_JSON)
public class GateResource {

    private static final Logger LOG = Logger.getLogger(GateResource.class);
    private static final String RELEASE_ID = Requests.ID;

    private final Outbox outbox;
    private final GateFlow flow;
    private final SecurityIdentity identity;
    private final GateConfig config;
    private final ReleaseTraces traces;

    GateResource(Outbox outbox, GateFlow flow, SecurityIdentity identity, GateConfig config, ReleaseTraces traces) {
        this.traces = traces;
        this.config = config;
        this.outbox = outbox;
        this.flow = flow;
        this.identity = identity;
    }

    @POST
    @RolesAllowed("ci")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> submit(@NotNull @Valid Requests.Candidate request) {
        Requests.ChangeProfile p = request.changeProfile() == null
                ? new Requests.ChangeProfile("NONE", false, false, false, List.of(), false, null, false, false) : request.changeProfile();
        ChangeProfile profile = ChangeProfile.newBuilder()
                .setDbMigration(DbMigration.valueOf(p.dbMigration()))
                .setMigrationReversible(p.migrationReversible())
                .setInfrastructureChanges(p.infrastructureChanges())
                .setUserFacing(p.userFacing())
                .setFeatureFlags(p.featureFlags() == null ? List.of() : p.featureFlags())
                .setHotfix(p.hotfix())
                .setIncidentId(p.incidentId())
                .setExternalApiChange(p.externalApiChange())
                .setSendsNotifications(p.sendsNotifications())
                .build();
        // the requester is who calls: a CI token carries the person the pipeline runs for. A body naming someone else could
        // let a requester approve their own release under another name.
        String requestedBy = caller();
        if (request.requestedBy() != null && !request.requestedBy().isBlank() && !request.requestedBy().equalsIgnoreCase(requestedBy)) {
            return Uni.createFrom().item(problem(400, "requestedBy is who calls: the token names " + requestedBy + ", the body "
                    + abbreviate(request.requestedBy()) + " (leave requestedBy out, or mint the CI token for the person who asked)",
                    "requestedBy"));
        }
        SpecificRecordBase event = GateEvents.candidateEvent(UUID.randomUUID(), Instant.now(), request.releaseId(), request.service(),
                request.version(), request.commitSha(), request.artifact(), profile, request.requiredGates(), requestedBy, request.issues());
        return publish(event, Map.of("releaseId", request.releaseId()));
    }

    @POST
    @Path("/{releaseId}/gate-results")
    @RolesAllowed("ci")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> result(@PathParam("releaseId") @Pattern(regexp = RELEASE_ID) @Size(max = 200) String releaseId,
            @NotNull @Valid Requests.GateResult request) {
        List<Finding> findings = request.findings() == null ? List.of() : request.findings().stream()
                .map(f -> new Finding(f.id(), f.severity(), f.title(), f.status(), null)).toList();
        ParsedReport report = new ParsedReport(request.stage(), request.verdict(), findings, request.coverage());
        return publishReport(releaseId, report, request.reportUrl());
    }

    /** A standard report: sarif (security), junit (tests), jacoco or cobertura (coverage of the latest test result). */
    @POST
    @Path("/{releaseId}/reports/{format}")
    @RolesAllowed("ci")
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> report(@PathParam("releaseId") @Pattern(regexp = RELEASE_ID) @Size(max = 200) String releaseId,
            @PathParam("format") String format, byte[] body) {
        if (body == null || body.length == 0) {
            return Uni.createFrom().item(problem(400, "the report body is empty", null));
        }
        return switch (format) {
            case "sarif" -> OffLoop.run(() -> Sarif.parse(body)).chain(report -> publishReport(releaseId, report, null))
                    .onFailure(ReportRejected.class).recoverWithItem(GateResource::rejected);
            case "junit" -> OffLoop.run(() -> JUnitXml.parse(body)).chain(report -> publishReport(releaseId, report, null))
                    .onFailure(ReportRejected.class).recoverWithItem(GateResource::rejected);
            case "jacoco", "cobertura" -> OffLoop.run(() -> format.equals("jacoco") ? CoverageXml.jacoco(body) : CoverageXml.cobertura(body))
                    .chain(coverage -> withCoverage(releaseId, coverage))
                    .onFailure(ReportRejected.class).recoverWithItem(GateResource::rejected);
            default -> Uni.createFrom().item(problem(400, "unknown report format '" + abbreviate(format)
                    + "': use sarif, junit, jacoco or cobertura", "path"));
        };
    }

    @POST
    @Path("/{releaseId}/waivers")
    @RolesAllowed("approver")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> waive(@PathParam("releaseId") @Pattern(regexp = RELEASE_ID) @Size(max = 200) String releaseId,
            @NotNull @Valid Requests.Waiver request) {
        Waiver waiver = new Waiver(Stage.SECURITY, request.findingId(), new Acceptance(caller(), request.rationale(), request.expiresAt()));
        return Panache.withTransaction(() -> ReleaseLock.lock(releaseId)
                        .chain(() -> flow.waive(releaseId, waiver, Instant.now()))
                        .call(evaluation -> outbox.stage(evaluation.events(), release -> null, traces.current())))
                .map(evaluation -> Response.status(201).entity(Map.of(
                        "releaseId", releaseId,
                        "outcome", evaluation.decision().outcome(),
                        "reasons", evaluation.decision().reasons())).build())
                .onFailure(GateFlow.WaiverRefused.class)
                .recoverWithItem(e -> problem(((GateFlow.WaiverRefused) e).status(), e.getMessage(), null));
    }

    /** The latest 100 releases submitted, newest first (of one service when asked), with the decision last announced. */
    @GET
    @Authenticated
    public Uni<List<Map<String, Object>>> list(@jakarta.ws.rs.QueryParam("service") @Size(max = 255) String service) {
        return Panache.withSession(() -> (service == null ? ReleaseEntity.<ReleaseEntity>find("order by submittedAt desc")
                : ReleaseEntity.<ReleaseEntity>find("service = ?1 order by submittedAt desc", service)).page(0, 100).list())
                .map(all -> all.stream().map(release -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("releaseId", release.releaseId);
                    row.put("service", release.service);
                    row.put("version", release.version);
                    row.put("requestedBy", release.requestedBy);
                    row.put("outcome", release.lastOutcome);
                    row.put("submittedAt", release.submittedAt == null ? null : release.submittedAt.toString());
                    return row;
                }).toList());
    }

    /** A release's gate status: the current decision with every reason, the latest result of each gate, the waivers. */
    @GET
    @Path("/{releaseId}/gate")
    @Authenticated
    public Uni<Response> status(@PathParam("releaseId") @Pattern(regexp = RELEASE_ID) @Size(max = 200) String releaseId) {
        return Panache.withSession(() -> ReleaseEntity.<ReleaseEntity>findById(releaseId).chain(release -> {
            if (release == null) {
                return Uni.createFrom().item(problem(404, "release " + releaseId + " is unknown", null));
            }
            return GateFlow.reports(releaseId).chain(reports -> GateFlow.waivers(releaseId).chain(waivers ->
                    flow.current(release, reports, waivers, Instant.now()).map(decision -> {
                        Map<String, Object> body = new LinkedHashMap<>();
                        body.put("releaseId", release.releaseId);
                        body.put("service", release.service);
                        body.put("version", release.version);
                        body.put("requestedBy", release.requestedBy);
                        body.put("requiredGates", GateFlow.candidateOf(release).requiredGates());
                        body.put("outcome", decision.outcome());
                        body.put("announcedOutcome", release.lastOutcome);
                        body.put("reasons", decision.reasons());
                        body.put("latestResults", GateEvaluator.latestPerStage(reports).values());
                        body.put("waivers", waivers);
                        return Response.ok(body).build();
                    })));
        }));
    }

    /** Coverage reports complete the latest test result; without one there is nothing to attach them to. */
    private Uni<Response> withCoverage(String releaseId, double coverage) {
        return Panache.withSession(() -> GateFlow.reports(releaseId)).chain(reports -> {
            GateReport latest = GateEvaluator.latestPerStage(reports).get(Stage.TEST);
            if (latest == null) {
                return Uni.createFrom().item(problem(409, "publish the test results (JUnit XML) of " + releaseId
                        + " before its coverage report", null));
            }
            return publishReport(releaseId, new ParsedReport(Stage.TEST, latest.verdict(), latest.findings(), coverage), null);
        });
    }

    private Uni<Response> publishReport(String releaseId, ParsedReport report, String reportUrl) {
        FindingBudget.Fit fit = FindingBudget.fit(report.findings(), config.maxFindingsBytes());
        if (fit instanceof FindingBudget.TooLarge tooLarge) {
            LOG.warnf("%s: a %s report for release %s refused: %s", caller(), report.stage(), releaseId, tooLarge.reason());
            return Uni.createFrom().item(problem(400, tooLarge.reason(), "findings"));
        }
        FindingBudget.Fits fits = (FindingBudget.Fits) fit;
        GateResult event = GateEvents.result(UUID.randomUUID(), releaseId, Instant.now(),
                new GateReport(null, report.stage(), report.verdict(), fits.findings(), report.coverage(), Instant.now()), reportUrl,
                fits.omitted());
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("releaseId", releaseId);
        summary.put("stage", report.stage());
        summary.put("verdict", report.verdict());
        summary.put("findings", report.findings().size());
        if (fits.omitted() > 0) {
            summary.put("findingsOmitted", fits.omitted());
        }
        if (report.coverage() != null) {
            summary.put("coverage", report.coverage());
        }
        return publish(event, summary);
    }

    private Uni<Response> publish(SpecificRecordBase event, Map<String, Object> summary) {
        // a release's trace starts at the API: the request's span, unless the release has a trace already
        String request = traces.current();
        return Panache.withTransaction(() -> outbox.stage(List.of(event), release -> null, request))
                .invoke(() -> LOG.infof("%s published %s %s", caller(), event.getSchema().getName(), summary))
                .map(ignored -> {
                    Map<String, Object> body = new LinkedHashMap<>(summary);
                    body.put("eventId", event.get("eventId").toString());
                    return Response.accepted(body).build();
                });
    }

    private String caller() {
        return identity.getPrincipal().getName();
    }

    private static Response rejected(Throwable failure) {
        ReportRejected rejected = (ReportRejected) failure;
        return problem(400, rejected.getMessage(), rejected.where());
    }

    static Response problem(int status, String message, String where) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        if (where != null) {
            body.put("where", where);
        }
        return Response.status(status).entity(body).type(MediaType.APPLICATION_JSON).build();
    }

    /** Text from the request, for a message: characters other than letters, digits and . _ - become '?'. */
    private static String abbreviate(String text) {
        return Texts.abbreviate(text.replaceAll("[^A-Za-z0-9._-]", "?"), 40);
    }
}
