package io.deploystage.executor.application;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.avro.specific.SpecificRecordBase;
import org.jboss.logging.Logger;

import io.deploystage.events.DeploymentOutcome;
import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.PlanStep;
import io.deploystage.events.StepStatus;
import io.deploystage.executor.config.ExecutorConfig;
import io.deploystage.executor.domain.DeploymentState;
import io.deploystage.executor.domain.Phase;
import io.deploystage.executor.domain.StepLifecycle;
import io.deploystage.executor.domain.Transitions;
import io.deploystage.executor.messaging.ExecutorEvents;
import io.deploystage.executor.persistence.DeploymentEntity;
import io.deploystage.executor.persistence.StepEntity;
import io.deploystage.executor.runner.Fence;
import io.deploystage.platform.inbox.EventsCommitted;
import io.deploystage.platform.domain.DeploymentCalendar;
import io.deploystage.platform.messaging.CalendarContract;
import io.deploystage.platform.outbox.Outbox;
import io.deploystage.platform.outbox.OutboxRelay;
import io.deploystage.platform.persistence.ReleaseLock;
import io.deploystage.platform.runtime.PeriodicTask;
import io.deploystage.platform.runtime.InOrder;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * Drives deployments step by step. Each step is written STARTED (and announced) in one transaction before it runs, and
 * its result in another after (the one that starts the next step); so after a kill -9 the executor knows which step was
 * interrupted: it re-runs it if the plan says it is safe to, and otherwise pauses the deployment for an operator. A
 * deployment is driven by one driver at a time, in one instance at a time (it holds the deployment's lease, see {@link
 * DeploymentLeases}); a rollback or an abort committed meanwhile is seen when the step's result is recorded, and wakes
 * a waiting step at once (in this instance) or at the next heartbeat (in another).
 */
@ApplicationScoped
public class DeploymentEngine {

    private static final Logger LOG = Logger.getLogger(DeploymentEngine.class);

    private final RunningSteps running;
    private final StepRunner steps;
    private final Deployments deployments;
    private final Outbox outbox;
    private final OutboxRelay relay;
    private final ExecutorConfig config;
    private final Vertx vertx;
    private final DeploymentLeases leases;
    private volatile PeriodicTask task;
    private volatile PeriodicTask heartbeat;

    DeploymentEngine(RunningSteps running, StepRunner steps, Deployments deployments, Outbox outbox, OutboxRelay relay, ExecutorConfig config,
            Vertx vertx, DeploymentLeases leases) {
        this.leases = leases;
        this.running = running;
        this.steps = steps;
        this.deployments = deployments;
        this.outbox = outbox;
        this.relay = relay;
        this.config = config;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent ignored) {
        task = PeriodicTask.start("deployment engine", vertx, config.pollInterval(), this::pass);
        heartbeat = PeriodicTask.start("deployment leases", vertx, leases.ttl().dividedBy(3), this::beat);
        LOG.infof("Executor instance %s: drives a deployment under its lease (%d s without a heartbeat and another instance takes it over)",
                leases.me(), leases.ttl().toSeconds());
        if (config.command().allowedPaths().isEmpty()) {
            LOG.warn("executor.command.allowed-paths is not set: command steps may run any executable (shells and interpreters are still refused)");
        }
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (task != null) {
            task.stop();
        }
        if (heartbeat != null) {
            heartbeat.stop();
        }
    }

    /**
     * Renews this instance's leases; wakes the drivers whose lease was lost, or whose deployment another instance moved
     * on (a rollback or an abort consumed there): the waiting step ends and the driver re-reads the deployment.
     */
    Uni<Void> beat() {
        return leases.renew().chain(lost -> {
            lost.forEach(running::cancel);
            // what each driver is on before the read: a driver that records its step's result meanwhile is left alone
            java.util.Map<UUID, RunningSteps.At> seen = running.onSteps();
            List<UUID> mine = new ArrayList<>(seen.keySet());
            if (mine.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            return Panache.withSession(() -> Panache.getSession().chain(session -> session.createSelectionQuery(
                            "select deploymentId, phase, nextStep, state from DeploymentEntity where deploymentId in :ids", Object[].class)
                    .setParameter("ids", mine).getResultList()))
                    .invoke(rows -> {
                        for (Object[] row : rows) {
                            UUID id = (UUID) row[0];
                            RunningSteps.At at = seen.get(id);
                            if (!at.is((Phase) row[1], ((Number) row[2]).intValue()) || !DeploymentState.DRIVEN.contains((DeploymentState) row[3])) {
                                running.cancelIfStillAt(id, at);
                            }
                        }
                    }).replaceWithVoid();
        });
    }

    /**
     * A plan or a command committed: look at once rather than at the next tick. Verdicts change nothing the pass looks
     * at (the waiting steps hear of them through {@link DeploymentSignals}).
     */
    void onCommitted(@Observes EventsCommitted committed) {
        if (committed.consumed().stream().anyMatch(e -> !(e instanceof io.deploystage.events.HealthVerdict))) {
            wake();
        }
    }

    /** A deployment this instance drives was moved on elsewhere: check the drivers' steps now, not at the next heartbeat. */
    void recheck() {
        if (heartbeat != null) {
            heartbeat.trigger();
        }
    }

    public void wake() {
        if (task != null) {
            task.trigger();
        }
    }

    /** What the engine's pass needs of an active deployment (not its plan: a pass at a thousand deployments read megabytes). */
    private record Active(UUID deploymentId, String service, DeploymentState state, Instant notBefore) {
    }

    /** Starts queued deployments whose service is free, and a driver for every running deployment that has none. */
    Uni<Void> pass() {
        return Panache.withSession(() -> Panache.getSession().chain(session -> session.createSelectionQuery(
                        "select deploymentId, service, state, notBefore from DeploymentEntity where state in :states order by createdAt", Object[].class)
                        .setParameter("states", DeploymentState.ACTIVE).getResultList()))
                .map(rows -> rows.stream().map(r -> new Active((UUID) r[0], (String) r[1], (DeploymentState) r[2], (Instant) r[3])).toList())
                .chain(active -> {
                    List<UUID> queued = new ArrayList<>();
                    List<UUID> undriven = new ArrayList<>();
                    Instant now = Instant.now();
                    List<UUID> windowOpen = active.stream().filter(d -> d.state == DeploymentState.WAITING_FOR_WINDOW && d.notBefore != null
                            && !d.notBefore.isAfter(now)).map(d -> d.deploymentId).toList();
                    java.util.Set<String> busy = new java.util.HashSet<>();
                    active.stream().filter(d -> d.state != DeploymentState.QUEUED).forEach(d -> busy.add(d.service));
                    for (Active d : active) {
                        if (d.state == DeploymentState.QUEUED && busy.add(d.service)) {
                            queued.add(d.deploymentId);
                        } else if (DeploymentState.DRIVEN.contains(d.state) && !running.isDriven(d.deploymentId)) {
                            undriven.add(d.deploymentId);
                        }
                    }
                    // only those whose lease this instance gets: another instance may be driving the rest
                    return leases.acquire(undriven).invoke(taken -> taken.forEach((id, token) -> {
                        if (running.claim(id)) {
                            launch(id, token);
                        }
                    })).chain(() -> queued.isEmpty() ? Uni.createFrom().voidItem() : promote(queued))
                            .chain(() -> windowOpen.isEmpty() ? Uni.createFrom().voidItem() : openWindow(windowOpen));
                });
    }

    /** The window of a waiting deployment opened: it runs again, and its first production step asks the calendar once more. */
    private Uni<Void> openWindow(List<UUID> due) {
        return InOrder.run(due, id -> Panache.withTransaction(() -> Deployments.locked(id).invoke(d -> {
            if (d != null && d.state == DeploymentState.WAITING_FOR_WINDOW) {
                LOG.infof("Release %s: deployment %s: the deployment window opened (%s), production starts", d.releaseId, d.deploymentId, d.notBefore);
                d.state = DeploymentState.RUNNING;
                d.notBefore = null;
                d.reason = null;
                d.updatedAt = Instant.now();
            }
        }).replaceWithVoid())).invoke(this::wake);
    }

    private Uni<Void> promote(List<UUID> queued) {
        return InOrder.run(queued, id -> Panache.withTransaction(() -> Deployments.locked(id).chain(d -> d == null || d.state != DeploymentState.QUEUED
                ? Uni.createFrom().voidItem()
                : ReleaseLock.lock("service:" + d.service).chain(() -> DeploymentEntity.count("service = ?1 and state in ?2 and deploymentId <> ?3",
                        d.service, DeploymentState.UNDER_WAY, d.deploymentId))
                        .invoke(others -> {
                            if (others == 0) {
                                d.state = d.phase == Phase.FORWARD ? DeploymentState.RUNNING : DeploymentState.ROLLING_BACK;
                                d.updatedAt = Instant.now();
                                LOG.infof("Release %s: deployment %s of %s leaves the queue", d.releaseId, d.deploymentId, d.service);
                            }
                        }).replaceWithVoid()))).invoke(this::wake);
    }

    /** Runs the deployment's driver on a context of its own; the driver releases its claim when it stops. */
    private void launch(UUID deploymentId, long token) {
        io.vertx.core.Context context = io.smallrye.common.vertx.VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(ignored -> drive(deploymentId, token)
                .onTermination().call(() -> leases.release(deploymentId, token).onFailure().recoverWithNull())
                .subscribe().with(done -> running.release(deploymentId), failure -> {
                    running.release(deploymentId);
                    LOG.warnf("Driving deployment %s failed, retrying at the next pass: %s", deploymentId, failure.toString());
                }));
    }

    /** What the next step is, once it is written STARTED; null when the driver should stop, {@link #AGAIN} to look again. */
    private record Begun(DeploymentPlan plan, Phase phase, int index, PlanStep step, Instant started, int run, Fence fence,
            CompletableFuture<Void> cancel) {
    }

    /** A step was skipped or passed over: look at the next one at once. */
    private static final Begun AGAIN = new Begun(null, null, -1, null, null, 0, null, null);

    private Uni<Void> drive(UUID deploymentId, long token) {
        return transaction(() -> begin(deploymentId, token)).chain(begun -> run(deploymentId, token, begun));
    }

    /**
     * Runs the begun step; then its result and the start of the next step are written in one transaction, under one
     * taking of the lock (a result and the next start commit together, so a crash leaves either both or neither), and
     * so on until there is nothing to run. At a thousand deployments under way a transaction per step rather than two
     * is half the executor's work; a rollback committed meanwhile is read by that transaction, which starts its first step.
     */
    private Uni<Void> run(UUID deploymentId, long token, Begun begun) {
        if (begun == null) {
            return Uni.createFrom().voidItem();
        }
        if (begun == AGAIN) {
            return drive(deploymentId, token);
        }
        return Uni.createFrom().voidItem().invoke(() -> running.on(deploymentId, new RunningSteps.At(begun.phase(), begun.index())))
                .chain(() -> steps.run(begun.plan(), begun.step(), begun.started(), begun.cancel(), begun.fence()))
                .onFailure().recoverWithItem(e -> new StepRunner.Outcome(StepRunner.Ending.FAILED, "step failed: " + e, Duration.ZERO))
                .invoke(() -> running.on(deploymentId, null)) // recording the result: the step no longer waits
                .chain(outcome -> transaction(() -> complete(deploymentId, token, begun, outcome).chain(recorded -> !recorded.value()
                        ? Uni.createFrom().item(Result.<Begun>of(null, recorded.events()))
                        : begin(deploymentId, token).map(started -> Result.of(started.value(), concat(recorded.events(), started.events()))))))
                .chain(started -> run(deploymentId, token, started));
    }

    private static List<SpecificRecordBase> concat(List<SpecificRecordBase> first, List<SpecificRecordBase> then) {
        if (then.isEmpty()) {
            return first;
        }
        List<SpecificRecordBase> all = new ArrayList<>(first);
        all.addAll(then);
        return all;
    }

    /** False (and logged) when this instance no longer holds the deployment's lease with this token: it must write nothing. */
    private boolean stillDriving(DeploymentEntity d, long token, String what) {
        if (d == null || leases.holds(d, token)) {
            return true;
        }
        LOG.warnf("Release %s: deployment %s is driven by %s now (token %d, ours %d): %s", d.releaseId, d.deploymentId, d.driver, d.leaseToken,
                token, what);
        return false;
    }

    /** Runs the work in a transaction, stages the events it returns, and wakes the relay after the commit. */
    private <T> Uni<T> transaction(java.util.function.Supplier<Uni<Result<T>>> work) {
        return Panache.withTransaction(() -> work.get().call(result -> outbox.stage(result.events())))
                .invoke(result -> {
                    if (!result.events().isEmpty()) {
                        relay.wake();
                    }
                })
                .map(Result::value);
    }

    private record Result<T>(T value, List<SpecificRecordBase> events) {
        static <T> Result<T> of(T value, List<SpecificRecordBase> events) {
            return new Result<>(value, events);
        }
    }

    /** Applies the lifecycle's decision for the deployment's next step. */
    private Uni<Result<Begun>> begin(UUID deploymentId, long token) {
        return Deployments.locked(deploymentId).chain(d -> {
            if (d == null || !DeploymentState.DRIVEN.contains(d.state) || !stillDriving(d, token, "no step started here")) {
                return Uni.createFrom().item(Result.<Begun>of(null, List.of()));
            }
            DeploymentPlan plan = Deployments.plan(d);
            return StepEntity.<StepEntity>list("deploymentId", deploymentId).chain(rows -> deployments.liveColour(d, plan).chain(live -> {
                List<PlanStep> list = Deployments.steps(plan, d.phase);
                StepLifecycle.Next next = StepLifecycle.next(new StepLifecycle.Position(d.phase, d.nextStep, d.pauseRequested, live),
                        Deployments.lifecycle(plan.getSteps()), Deployments.lifecycle(plan.getRollbackProcedure()), Deployments.rows(rows));
                StepEntity row = rows.stream().filter(r -> r.phase == d.phase && r.stepIndex == d.nextStep).findFirst().orElse(null);
                Instant now = Instant.now();
                if (next instanceof StepLifecycle.Finish finish) {
                    String reason = d.phase == Phase.FORWARD ? null : d.reason;
                    return Uni.createFrom().item(Result.<Begun>of(null, List.of(Deployments.finish(d, plan, finish.state(), reason))));
                }
                PlanStep step = list.get(d.nextStep);
                if (next instanceof StepLifecycle.Pause pause) {
                    List<SpecificRecordBase> events = new ArrayList<>();
                    if (pause.interrupted()) {
                        row.status = StepEntity.INTERRUPTED;
                        row.detail = "interrupted: the executor stopped while this step ran";
                        // announced: watchers see why it stopped, and an interrupted rollback step pages its contact
                        events.add(ExecutorEvents.step(plan, d.phase, step, StepStatus.INTERRUPTED, row.runs, pause.reason(), null));
                    }
                    d.state = DeploymentState.PAUSED;
                    d.pauseRequested = false;
                    d.reason = pause.reason();
                    d.updatedAt = now;
                    if (pause.interrupted() && d.phase == Phase.ROLLBACK) {
                        LOG.errorf("Release %s: deployment %s PAUSED in its rollback, production may run either version (escalation: %s): %s",
                                d.releaseId, d.deploymentId, plan.getEscalationContact(), d.reason);
                    } else {
                        LOG.warnf("Release %s: deployment %s PAUSED: %s", d.releaseId, d.deploymentId, d.reason);
                    }
                    return Uni.createFrom().item(Result.<Begun>of(null, events));
                }
                if (next instanceof StepLifecycle.Skip skip) {
                    StepEntity skipped = Deployments.newRow(deploymentId, d.phase, d.nextStep, step, StepEntity.SKIPPED, now);
                    skipped.runs = 0;
                    skipped.finishedAt = now;
                    skipped.detail = skip.why();
                    d.nextStep++;
                    d.updatedAt = now;
                    LOG.infof("Release %s: step %s SKIPPED: %s", d.releaseId, step.getStepId(), skip.why());
                    return skipped.persist().replaceWith(Result.of(AGAIN, List.<SpecificRecordBase>of(ExecutorEvents.step(plan, d.phase, step,
                            StepStatus.SKIPPED, 1, skip.why(), null))));
                }
                if (next instanceof StepLifecycle.Past) {
                    d.nextStep++; // its result is recorded (the index moves with the result, so this is a repair)
                    return Uni.createFrom().item(Result.of(AGAIN, List.<SpecificRecordBase>of()));
                }
                StepLifecycle.Run run = (StepLifecycle.Run) next;
                if (row == null && entersProduction(d, list)) {
                    // the deployment calendar: production does not start outside the window or in a freeze
                    return admission(d, plan, now).chain(admission -> admission instanceof DeploymentCalendar.Wait wait
                            ? Uni.createFrom().item(waitForWindow(d, plan, step, wait, now))
                            // entering production, the STARTED event says why now (inside the window, or a hotfix in a freeze)
                            : started(d, plan, step, run, null, now, plan.getCalendar() == null ? run.why() : ((DeploymentCalendar.Open) admission).why()));
                }
                return started(d, plan, step, run, row, now, run.why());
            }));
        });
    }

    /** True when the next step is the deployment's first forward step that changes production (an approval does not). */
    static boolean entersProduction(DeploymentEntity d, List<PlanStep> steps) {
        return d.phase == Phase.FORWARD && changesProduction(steps.get(d.nextStep))
                && steps.subList(0, d.nextStep).stream().noneMatch(DeploymentEngine::changesProduction);
    }

    private static boolean changesProduction(PlanStep step) {
        return step.getEnvironment() == io.deploystage.events.Environment.PRODUCTION && step.getKind() != io.deploystage.events.StepKind.APPROVAL;
    }

    /** The calendar's admission, with a hotfix's senior approval (the comment of the first approval of a senior step). */
    private static Uni<DeploymentCalendar.Admission> admission(DeploymentEntity d, DeploymentPlan plan, Instant now) {
        DeploymentCalendar calendar = CalendarContract.fromContract(plan.getCalendar());
        List<String> seniorSteps = plan.getSteps().stream().filter(s -> "senior".equals(s.getApproverRole())).map(PlanStep::getStepId).toList();
        if (plan.getIncidentId() == null || seniorSteps.isEmpty()) {
            return Uni.createFrom().item(calendar.admit(now, null));
        }
        return io.deploystage.executor.persistence.CommandEntity.<io.deploystage.executor.persistence.CommandEntity>find(
                "deploymentId = ?1 and kind = 'APPROVE' and stepId in ?2 order by receivedAt", d.deploymentId.toString(), seniorSteps)
                .firstResult().map(approval -> calendar.admit(now, new DeploymentCalendar.HotfixPass(plan.getIncidentId(),
                        approval == null ? null : approval.comment)));
    }

    /** Production waits for the window: announced as the step WAITING, with until when and why; the pass starts it then. */
    private Result<Begun> waitForWindow(DeploymentEntity d, DeploymentPlan plan, PlanStep step, DeploymentCalendar.Wait wait, Instant now) {
        d.state = DeploymentState.WAITING_FOR_WINDOW;
        d.notBefore = wait.until();
        d.reason = "production waits: " + wait.why();
        d.updatedAt = now;
        LOG.infof("Release %s: deployment %s WAITING_FOR_WINDOW before %s: %s", d.releaseId, d.deploymentId, step.getStepId(), wait.why());
        return Result.of(null, List.<SpecificRecordBase>of(ExecutorEvents.step(plan, d.phase, step, StepStatus.WAITING, 1, d.reason, null)));
    }

    /** Writes the step STARTED (a new row, or its row again for a re-run) and announces it with {@code why}. */
    private Uni<Result<Begun>> started(DeploymentEntity d, DeploymentPlan plan, PlanStep step, StepLifecycle.Run run, StepEntity row, Instant now,
            String why) {
        Uni<?> written = Uni.createFrom().voidItem();
        if (row == null) {
            written = Deployments.newRow(d.deploymentId, d.phase, d.nextStep, step, StepEntity.STARTED, now).persist();
            LOG.infof("Release %s: step %s STARTED (%s, %s): %s", d.releaseId, step.getStepId(), step.getEnvironment(), step.getKind(),
                    step.getAction());
        } else {
            row.status = StepEntity.STARTED;
            row.runs = run.run();
            row.startedAt = now;
            row.detail = run.why();
            LOG.infof("Release %s: step %s STARTED again (run %d): %s", d.releaseId, step.getStepId(), run.run(), run.why());
        }
        d.updatedAt = now;
        // what cancels the step: taken under the lock, so a rollback or an abort either committed before (and this
        // transaction reads it) or cancels this signal (one this transaction applied itself cancelled the previous one)
        CompletableFuture<Void> cancel = running.signal(d.deploymentId);
        // the step's fencing token, drawn under the lock and the lease this transaction checked
        Uni<Long> fence = written.chain(() -> Panache.getSession()).chain(session -> session
                .createNativeQuery("select nextval('command_fence')", Long.class).getSingleResult());
        return fence.map(token -> Result.of(new Begun(plan, d.phase, d.nextStep, step, now, run.run(), new Fence(d.deploymentId, step.getStepId(), token), cancel),
                List.<SpecificRecordBase>of(ExecutorEvents.step(plan, d.phase, step, StepStatus.STARTED, run.run(), why, null))));
    }

    private Uni<Result<Boolean>> complete(UUID deploymentId, long token, Begun begun, StepRunner.Outcome outcome) {
        return Deployments.locked(deploymentId).chain(d -> StepEntity.<StepEntity>findById(new StepEntity.Key(deploymentId, begun.phase(),
                begun.index())).chain(row -> {
                    if (!stillDriving(d, token, "the result of step " + begun.step().getStepId() + " (" + outcome.ending() + ") is left to it")) {
                        return Uni.createFrom().item(Result.of(false, List.<SpecificRecordBase>of()));
                    }
                    if (d == null || d.phase != begun.phase() || d.nextStep != begun.index() || !DeploymentState.DRIVEN.contains(d.state)) {
                        // a rollback or an abort moved the deployment on while the step ran; it already marked the step
                        LOG.infof("Release %s: step %s ended %s after the deployment moved on (%s): %s", begun.plan().getReleaseId(),
                                begun.step().getStepId(), outcome.ending(), d == null ? "gone" : d.state, outcome.detail());
                        return Uni.createFrom().item(Result.of(true, List.of()));
                    }
                    if (outcome.ending() == StepRunner.Ending.CANCELLED) {
                        row.status = StepEntity.INTERRUPTED; // woken for nothing (the command's transaction did not commit): run it again
                        return Uni.createFrom().item(Result.of(true, List.of()));
                    }
                    Instant now = Instant.now();
                    row.finishedAt = now;
                    row.detail = outcome.detail();
                    d.updatedAt = now;
                    long millis = outcome.duration().toMillis();
                    PlanStep step = begun.step();
                    String releaseId = d.releaseId;
                    return switch (outcome.ending()) {
                        case SUCCEEDED, SKIPPED -> {
                            row.status = outcome.ending() == StepRunner.Ending.SUCCEEDED ? StepEntity.SUCCEEDED : StepEntity.SKIPPED;
                            d.nextStep++;
                            Uni<Void> live = outcome.ending() == StepRunner.Ending.SUCCEEDED ? deployments.switched(d, step) : Uni.createFrom().voidItem();
                            LOG.infof("Release %s: step %s %s in %d ms: %s", releaseId, step.getStepId(), row.status, millis, outcome.detail());
                            yield live.replaceWith(Result.of(true, List.of(ExecutorEvents.step(begun.plan(), begun.phase(), step,
                                    StepStatus.valueOf(row.status), begun.run(), outcome.detail(), millis))));
                        }
                        case INCONCLUSIVE -> {
                            row.status = StepEntity.AWAITING_OPERATOR;
                            d.state = DeploymentState.PAUSED;
                            d.reason = "step " + step.getStepId() + ": " + outcome.detail() + "; resume to continue, or roll back";
                            LOG.warnf("Release %s: deployment %s PAUSED: %s", releaseId, deploymentId, d.reason);
                            yield Uni.createFrom().item(Result.of(true, List.of()));
                        }
                        default -> failed(d, begun, row, outcome, millis).map(failed -> Result.of(true, failed.events()));
                    };
                }));
    }

    private Uni<Result<Void>> failed(DeploymentEntity d, Begun begun, StepEntity row, StepRunner.Outcome outcome, long millis) {
        PlanStep step = begun.step();
        row.status = StepEntity.FAILED;
        LOG.warnf("Release %s: step %s FAILED in %d ms: %s", d.releaseId, step.getStepId(), millis, outcome.detail());
        List<SpecificRecordBase> events = new ArrayList<>();
        events.add(ExecutorEvents.step(begun.plan(), begun.phase(), step, StepStatus.FAILED, begun.run(), outcome.detail(), millis));
        boolean production = step.getEnvironment() == io.deploystage.events.Environment.PRODUCTION;
        String what = step.getEnvironment().name().toLowerCase(java.util.Locale.ROOT) + " step " + step.getStepId() + " failed: "
                + outcome.detail();
        return switch (Transitions.afterFailure(begun.phase(), production)) {
            case STOP_FAILED -> {
                d.nextStep++;
                yield deployments.stop(d, DeploymentState.FAILED, what + "; production was not touched").map(more -> {
                    events.addAll(more);
                    return Result.<Void>of(null, events);
                });
            }
            case ROLL_BACK -> {
                d.nextStep++;
                yield deployments.startRollback(d, what).map(more -> {
                    events.addAll(more);
                    return Result.<Void>of(null, events);
                });
            }
            case ROLLBACK_FAILED -> {
                // typed, so the notifier pages the escalation contact without reading the reason
                DeploymentOutcome ended = Deployments.finish(d, begun.plan(), DeploymentState.FAILED, "rollback " + what
                        + "; a human must take over");
                ended.setRollbackFailed(true);
                events.add(ended);
                yield Uni.createFrom().item(Result.<Void>of(null, events));
            }
        };
    }
}
