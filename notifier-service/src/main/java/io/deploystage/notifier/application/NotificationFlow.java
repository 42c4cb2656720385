package io.deploystage.notifier.application;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.avro.specific.SpecificRecordBase;
import org.jboss.logging.Logger;

import io.deploystage.events.DeliveryStatus;
import io.deploystage.events.DeploymentOutcome;
import io.deploystage.events.DeploymentResult;
import io.deploystage.events.EventEnvelope;
import io.deploystage.events.GateDecision;
import io.deploystage.events.GateOutcome;
import io.deploystage.events.HealthVerdict;
import io.deploystage.events.IssueRefs;
import io.deploystage.events.NotificationRecord;
import io.deploystage.events.ReleaseCandidate;
import io.deploystage.events.RollbackCommand;
import io.deploystage.events.StepEvent;
import io.deploystage.notifier.config.NotifierConfig;
import io.deploystage.notifier.domain.Announcement;
import io.deploystage.notifier.domain.Changelog;
import io.deploystage.notifier.domain.Notice;
import io.deploystage.notifier.domain.TeamsCard;
import io.deploystage.notifier.domain.TrackerRequests;
import io.deploystage.notifier.persistence.DeliveryEntity;
import io.deploystage.notifier.persistence.ReleaseInfoEntity;
import io.deploystage.platform.domain.Texts;
import io.deploystage.platform.persistence.JsonText;
import io.smallrye.mutiny.Uni;

/**
 * Decides which events the team hears about and records one delivery per (event, destination), in the consuming
 * transaction. The log destination is delivered at once; HTTP destinations are sent by the {@link DeliveryWorker}.
 */
@ApplicationScoped
public class NotificationFlow {

    private static final Logger LOG = Logger.getLogger(NotificationFlow.class);
    private static final java.util.Set<String> TRACKERS = java.util.Set.of("github", "jira");
    /** The planner's step that turns a flag on for everyone: flag-<key>-100. */
    private static final java.util.regex.Pattern FLAG_AT_100 = java.util.regex.Pattern.compile("flag-(" + Texts.FLAG_KEY + ")-100");
    private static final com.fasterxml.jackson.core.type.TypeReference<List<String>> ISSUES = new com.fasterxml.jackson.core.type.TypeReference<>() { };

    private final NotifierConfig config;

    NotificationFlow(NotifierConfig config) {
        this.config = config;
    }

    public Uni<List<SpecificRecordBase>> onOutcome(DeploymentOutcome outcome) {
        if (outcome.getRollbackFailed()) {
            // the spec: if the rollback fails, escalate; the on-call route (notifier.on.rollback-failed) pages the contact
            String summary = Announcement.rollbackFailed(outcome.getService(), outcome.getVersion(), outcome.getEscalationContact());
            LOG.errorf("Release %s: %s", outcome.getReleaseId(), summary);
            return notify(outcome, new Notice("rollback-failed", outcome.getReleaseId(), outcome.getService(), outcome.getVersion(), "production",
                    outcome.getStrategy().name(), outcome.getOutcome().name(), summary, outcome.getReason()));
        }
        boolean deployed = outcome.getOutcome() == DeploymentResult.DEPLOYED;
        String summary = deployed ? Announcement.deployed(outcome.getService(), outcome.getVersion())
                : Announcement.notDeployed(outcome.getService(), outcome.getVersion(), outcome.getOutcome().name(), outcome.getReason());
        Uni<List<SpecificRecordBase>> notified = notify(outcome, new Notice(deployed ? "deployed" : "not-deployed", outcome.getReleaseId(),
                outcome.getService(), outcome.getVersion(), "production", outcome.getStrategy().name(), outcome.getOutcome().name(), summary,
                outcome.getReason()));
        if (!deployed) {
            return notified;
        }
        // the trackers: comment on and close the issues the release names, and publish the release
        return notified.call(() -> ReleaseInfoEntity.<ReleaseInfoEntity>findById(outcome.getReleaseId()).chain(info -> {
            List<String> issues = info == null ? List.of() : JsonText.read(info.issues, ISSUES);
            String entry = Changelog.entry(outcome.getVersion(), java.time.LocalDate.now(java.time.ZoneOffset.UTC), Changelog.line(
                    outcome.getService(), outcome.getVersion(), outcome.getStrategy().name(), outcome.getReleaseId()));
            return trackers(outcome, outcome.getService(), summary, (kind, destination) -> kind.equals("github")
                    ? TrackerRequests.githubDeployed(destination.url().orElse("https://api.github.com"), destination.repository().orElse(""),
                            java.util.Set.copyOf(destination.repositories().orElse(List.of())), issues, outcome.getService(), outcome.getVersion(),
                            outcome.getReleaseId(), entry)
                    : TrackerRequests.jiraDeployed(destination.url().orElse(""), jiraProjects(destination), issues,
                            destination.transition().orElse(null), outcome.getService(), outcome.getVersion(), outcome.getReleaseId()));
        }));
    }

    /** The Jira project keys a release may name: the destination's project and its other projects. */
    private static java.util.Set<String> jiraProjects(NotifierConfig.Destination destination) {
        java.util.Set<String> projects = new java.util.HashSet<>(destination.projects().orElse(List.of()));
        destination.project().ifPresent(projects::add);
        return projects;
    }

    /** Remembers the issues a release names, for the trackers. */
    public Uni<List<SpecificRecordBase>> onCandidate(ReleaseCandidate candidate) {
        List<String> issues = candidate.getIssues().stream().filter(i -> i.matches(IssueRefs.ANY)).distinct().limit(50).toList();
        if (issues.size() < candidate.getIssues().size()) {
            LOG.warnf("Release %s: issue references that are neither GitHub (#12, owner/repo#12) nor Jira (CHK-12) are ignored: %s",
                    candidate.getReleaseId(), candidate.getIssues().stream().filter(i -> !i.matches(IssueRefs.ANY)).limit(5).toList());
        }
        return ReleaseInfoEntity.<ReleaseInfoEntity>findById(candidate.getReleaseId()).chain(existing -> {
            ReleaseInfoEntity info = existing == null ? new ReleaseInfoEntity() : existing;
            info.releaseId = candidate.getReleaseId();
            info.service = candidate.getService();
            info.version = candidate.getVersion();
            info.issues = JsonText.write(issues);
            info.createdAt = Instant.now();
            return (existing == null ? info.persist() : Uni.createFrom().item(info)).replaceWith(List.<SpecificRecordBase>of());
        });
    }

    /** One delivery per tracker request, for every tracker destination on the service's route. */
    private Uni<Void> trackers(SpecificRecordBase subject, String service, String summary,
            java.util.function.BiFunction<String, NotifierConfig.Destination, List<TrackerRequests.Request>> requests) {
        UUID subjectId = EventEnvelope.eventId(subject);
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (String name : config.routeFor(service == null ? "*" : service)) {
            NotifierConfig.Destination destination = config.destinations().get(name);
            if (destination == null || !TRACKERS.contains(destination.kind())) {
                continue;
            }
            for (TrackerRequests.Request request : requests.apply(destination.kind(), destination)) {
                DeliveryEntity delivery = pending(subjectId, EventEnvelope.releaseId(subject), name, destination.kind(), request.purpose(),
                        summary + " (" + request.purpose() + ")");
                delivery.method = request.method();
                delivery.url = request.url();
                delivery.body = JsonText.write(request.body());
                chain = chain.call(() -> persistOnce(delivery));
            }
        }
        return chain;
    }

    public Uni<List<SpecificRecordBase>> onGateDecision(GateDecision decision) {
        if (decision.getOutcome() != GateOutcome.BLOCKED) {
            return Uni.createFrom().item(List.of());
        }
        String reasons = String.join("; ", decision.getReasons().stream().filter(r -> r.getMessage().startsWith("BLOCKS"))
                .map(r -> r.getMessage()).toList());
        return notify(decision, new Notice("blocked", decision.getReleaseId(), decision.getService(), decision.getVersion(), "-", "-",
                "BLOCKED", Announcement.blocked(decision.getService(), decision.getVersion()), reasons));
    }

    public Uni<List<SpecificRecordBase>> onRollback(RollbackCommand command) {
        return notify(command, new Notice("rollback-ordered", command.getReleaseId(), null, null, "production", "-", "ROLLING_BACK",
                Announcement.rollback(command.getDeploymentId(), command.getReason()), command.getReason()));
    }

    /** A flag step that brought a flag to 100% of users: a cleanup ticket in the trackers. */
    public Uni<List<SpecificRecordBase>> onStepEvent(StepEvent step) {
        if (step.getStatus() == io.deploystage.events.StepStatus.INTERRUPTED && step.getRollback()) {
            // a rollback that cannot go on by itself is escalated as a failed one is: the on-call route pages the contact
            return ReleaseInfoEntity.<ReleaseInfoEntity>findById(step.getReleaseId()).chain(info -> {
                String service = info == null ? null : info.service;
                String version = info == null ? "?" : info.version;
                String summary = Announcement.rollbackStalled(service, version, step.getStepId(), step.getEscalationContact());
                LOG.errorf("Release %s: %s", step.getReleaseId(), summary);
                return notify(step, new Notice("rollback-failed", step.getReleaseId(), service, version, "production", "-", "PAUSED",
                        summary, step.getDetail()));
            });
        }
        java.util.regex.Matcher flag = FLAG_AT_100.matcher(step.getStepId());
        if (step.getStatus() != io.deploystage.events.StepStatus.SUCCEEDED || !flag.matches()) {
            return Uni.createFrom().item(List.of());
        }
        String key = flag.group(1);
        return ReleaseInfoEntity.<ReleaseInfoEntity>findById(step.getReleaseId()).chain(info -> {
            String service = info == null ? null : info.service;
            String summary = "Flag " + key + " is on for everyone" + (service == null ? "" : " in " + service) + ": cleanup ticket";
            return trackers(step, service, summary, (kind, destination) -> List.of(TrackerRequests.flagCleanup(kind,
                    destination.url().orElse(kind.equals("github") ? "https://api.github.com" : ""),
                    kind.equals("github") ? destination.repository().orElse("") : destination.project().orElse(""), key,
                    service == null ? "the service" : service)));
        }).replaceWith(List.of());
    }

    public Uni<List<SpecificRecordBase>> onHealthVerdict(HealthVerdict verdict) {
        return Uni.createFrom().item(List.of());
    }

    private Uni<List<SpecificRecordBase>> notify(SpecificRecordBase subject, Notice notice) {
        UUID subjectId = EventEnvelope.eventId(subject);
        List<SpecificRecordBase> records = new ArrayList<>();
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (String name : config.routeFor(notice.service() == null ? "*" : notice.service(), notice.kind())) {
            NotifierConfig.Destination destination = config.destinations().get(name);
            if (destination == null) {
                LOG.errorf("Release %s: route names destination '%s', which is not configured", notice.releaseId(), name);
                continue;
            }
            if (destination.kind().equals("changelog") && !notice.kind().equals("deployed") || TRACKERS.contains(destination.kind())) {
                continue;
            }
            DeliveryEntity delivery = pending(subjectId, notice.releaseId(), name, destination.kind(), null, notice.summary());
            delivery.body = JsonText.write(switch (destination.kind()) {
                case "slack" -> notice.slackPayload(config.plansBaseUrl().orElse(null));
                case "teams" -> TeamsCard.of(notice, config.plansBaseUrl().orElse(null));
                case "pagerduty" -> notice.pagerDutyEvent(subjectId.toString());
                default -> notice.webhookPayload(subjectId.toString());
            });
            if (destination.kind().equals("log")) {
                LOG.infof("Release %s: %s", notice.releaseId(), notice.summary());
                delivery.status = "DELIVERED";
                delivery.attempts = 1;
                records.add(record(delivery, DeliveryStatus.DELIVERED));
            }
            chain = chain.call(() -> persistOnce(delivery));
        }
        return chain.replaceWith(records);
    }

    private static DeliveryEntity pending(UUID subjectId, String releaseId, String name, String kind, String purpose, String summary) {
        DeliveryEntity delivery = new DeliveryEntity();
        delivery.id = EventEnvelope.derivedId(subjectId, "delivery/" + name + (purpose == null ? "" : "/" + purpose));
        delivery.releaseId = releaseId;
        delivery.subjectEventId = subjectId;
        delivery.destination = name;
        delivery.kind = kind;
        delivery.method = "POST";
        delivery.summary = summary.length() > 2000 ? summary.substring(0, 2000) : summary;
        delivery.createdAt = Instant.now();
        delivery.updatedAt = delivery.createdAt;
        delivery.nextAttemptAt = delivery.createdAt;
        delivery.status = "PENDING";
        return delivery;
    }

    /** A redelivered event finds its deliveries already recorded and adds nothing. */
    private static Uni<Void> persistOnce(DeliveryEntity delivery) {
        return DeliveryEntity.findById(delivery.id).chain(existing -> existing != null ? Uni.createFrom().voidItem() : delivery.persist().replaceWithVoid());
    }

    /** The NotificationRecord of one attempt; its id is derived from the delivery and the attempt number. */
    public static NotificationRecord record(DeliveryEntity delivery, DeliveryStatus status) {
        return NotificationRecord.newBuilder()
                .setEventId(EventEnvelope.derivedId(delivery.id, "attempt/" + delivery.attempts))
                .setReleaseId(delivery.releaseId)
                .setOccurredAt(Instant.now())
                .setCausationId(delivery.subjectEventId.toString())
                .setDestination(delivery.destination)
                .setSubjectEventId(delivery.subjectEventId.toString())
                .setAttempt(delivery.attempts)
                .setStatus(status)
                .setSummary(delivery.summary)
                .build();
    }
}
