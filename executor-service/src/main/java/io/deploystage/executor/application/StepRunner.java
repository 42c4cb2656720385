package io.deploystage.executor.application;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.PlanStep;
import io.deploystage.executor.config.ExecutorConfig;
import io.deploystage.executor.domain.HealthGate;
import io.deploystage.executor.domain.StepParameters;
import io.deploystage.executor.domain.flags.Flag;
import io.deploystage.executor.persistence.CommandEntity;
import io.deploystage.executor.persistence.VerdictEntity;
import io.deploystage.executor.runner.CommandRunner;
import io.deploystage.executor.runner.GitTagRunner;
import io.deploystage.executor.runner.HttpCheckRunner;
import io.deploystage.executor.runner.StepResult;
import io.deploystage.executor.runner.Fence;
import io.deploystage.executor.runner.TrafficDriver;
import io.deploystage.platform.domain.Texts;
import io.deploystage.platform.runtime.OffLoop;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Runs one step by its kind and says how it ended. Commands, smoke tests and tags run on a worker thread; waits for
 * health and approval read what the executor received every poll interval and end at once when cancelled.
 */
@ApplicationScoped
public class StepRunner {

    /** How a step ended. */
    public enum Ending {
        SUCCEEDED, FAILED, SKIPPED, INCONCLUSIVE, CANCELLED
    }

    public record Outcome(Ending ending, String detail, Duration duration) {
        static Outcome of(StepResult result) {
            return new Outcome(result.succeeded() ? Ending.SUCCEEDED : Ending.FAILED, result.detail(), result.duration());
        }
    }

    private final ExecutorConfig config;
    private final FlagStore flags;
    private final TrafficDriver traffic;
    private final Vertx vertx;

    private final io.deploystage.platform.http.UrlGuard urls;
    private final RunningSteps running;

    StepRunner(ExecutorConfig config, FlagStore flags, TrafficDriver traffic, Vertx vertx, io.deploystage.platform.http.UrlGuard urls,
            RunningSteps running) {
        this.running = running;
        this.urls = urls;
        this.config = config;
        this.flags = flags;
        this.traffic = traffic;
        this.vertx = vertx;
    }

    public static CommandRunner.Settings commandSettings(ExecutorConfig config) {
        ExecutorConfig.Command c = config.command();
        java.util.Map<String, String> environment = new java.util.LinkedHashMap<>();
        c.inheritEnvironment().forEach(name -> {
            String value = System.getenv(name);
            if (value != null) {
                environment.put(name, value);
            }
        });
        environment.putAll(c.environment());
        return new CommandRunner.Settings(c.timeout(), c.workingDirectory().map(Path::of).orElse(null), environment,
                c.secretVariables().orElse(List.of()), c.maxOutput(), c.allowedPaths().orElse(List.of()).stream().map(StepRunner::real).toList());
    }

    /** A directory as the real path executables are compared with (a /tmp that is a link, say). */
    private static Path real(String directory) {
        try {
            return Path.of(directory).toRealPath();
        } catch (java.io.IOException e) {
            return Path.of(directory);
        }
    }

    /**
     * Runs the step; {@code started} is when its current run began, {@code cancel} completes when it must stop waiting;
     * a command that changes a target carries {@code fence} in its environment.
     */
    public Uni<Outcome> run(DeploymentPlan plan, PlanStep step, Instant started, CompletableFuture<Void> cancel, Fence fence) {
        List<String> argv = step.getCommand();
        return switch (step.getKind()) {
            case COMMAND -> OffLoop.run(() -> Outcome.of(CommandRunner.run(argv, commandSettings(config).fenced(fence))));
            case HTTP_CHECK -> {
                if (argv.size() < 3 || !argv.get(2).matches("[1-5][0-9][0-9]")) {
                    yield failed("a smoke test needs method, URL and expected status; got " + argv);
                }
                HttpCheckRunner.Check check = new HttpCheckRunner.Check(argv.get(0), argv.get(1), Integer.parseInt(argv.get(2)),
                        argv.size() > 3 ? argv.get(3) : null);
                ExecutorConfig.HttpCheck c = config.httpCheck();
                // a rollback ordered meanwhile stops the retries at once: the check's result no longer matters
                yield OffLoop.run(() -> cancel.isDone() ? new Outcome(Ending.CANCELLED, "stopped while checking", Duration.ZERO)
                        : Outcome.of(HttpCheckRunner.run(check, c.attempts(), c.firstBackoff(), c.timeout(), urls::refusal, cancel::isDone)))
                        .map(outcome -> cancel.isDone() ? new Outcome(Ending.CANCELLED, "stopped while checking: " + outcome.detail(),
                                outcome.duration()) : outcome);
            }
            case GIT_TAG -> {
                if (config.gitRepository().isEmpty()) {
                    yield Uni.createFrom().item(new Outcome(Ending.SKIPPED, "no git repository configured (executor.git-repository)", Duration.ZERO));
                }
                Path repository = Path.of(config.gitRepository().get());
                String commit = argv.size() >= 4 ? argv.get(3) : "HEAD";
                yield OffLoop.run(() -> Outcome.of(GitTagRunner.tag(repository, plan.getVersion(), commit)));
            }
            case TRAFFIC -> OffLoop.run(() -> Outcome.of(traffic.apply(plan, step, fence)));
            case FLAG -> "builtin".equals(config.flags().provider()) ? setFlag(step)
                    : OffLoop.run(() -> Outcome.of(CommandRunner.run(argv, commandSettings(config).fenced(fence))));
            case WAIT_FOR_HEALTH -> waitForHealth(plan, step, started, cancel);
            case APPROVAL -> waitForApproval(plan.getEventId(), step, started, cancel);
            case NOTIFY -> Uni.createFrom().item(new Outcome(Ending.SUCCEEDED, "the notifier announces the outcome to " + String.join(" ", argv),
                    Duration.ZERO));
            default -> failed("step kind " + step.getKind() + " is not known to this executor");
        };
    }

    private static Uni<Outcome> failed(String detail) {
        return Uni.createFrom().item(new Outcome(Ending.FAILED, detail, Duration.ZERO));
    }

    /** Sets a flag in the built-in store. A killed flag is never switched back on by a rollout step: the step fails. */
    private Uni<Outcome> setFlag(PlanStep step) {
        String key = step.getFlagKey();
        if (key == null || !key.matches(Texts.FLAG_KEY)) {
            return failed("the flag step names no valid flag");
        }
        int percent = step.getTrafficPercent() == null ? 0 : step.getTrafficPercent();
        boolean off = percent == 0 && !step.getFlagInternal();
        long begun = System.nanoTime();
        return Panache.withTransaction(() -> flags.find(key).chain(existing -> {
            Flag current = existing == null ? Flag.off(key) : existing;
            if (current.killed() && !off) {
                return Uni.createFrom().item(new Outcome(Ending.FAILED, "flag " + key + " was killed; a rollout step does not switch it back on",
                        Duration.ofNanos(System.nanoTime() - begun)));
            }
            Flag wanted = off ? new Flag(key, false, false, current.internalUsers(), 0, current.killed())
                    : new Flag(key, true, current.internalEnabled() || step.getFlagInternal(), current.internalUsers(), percent, false);
            return flags.save(wanted, "executor").map(saved -> new Outcome(Ending.SUCCEEDED, off ? "flag " + key + " off for everyone"
                    : "flag " + key + " on for " + (saved.internalEnabled() ? "internal users and " : "") + percent + "% of users",
                    Duration.ofNanos(System.nanoTime() - begun)));
        }));
    }

    private Uni<Outcome> waitForHealth(DeploymentPlan plan, PlanStep step, Instant started, CompletableFuture<Void> cancel) {
        Duration window = StepParameters.window(step.getCommand(), Duration.ofMinutes(10));
        ExecutorConfig.HealthPolicy policy = config.health().policyFor(plan.getService());
        Duration capped = policy.maxWindow().filter(max -> max.compareTo(window) < 0).orElse(window);
        Instant deadline = started.plus(capped);
        HealthGate.Requirement need = new HealthGate.Requirement(step.getEnvironment().name(), StepParameters.cohorts(step.getCommand()),
                StepParameters.checks(step.getCommand(), plan.getHealthChecks().stream().map(c -> c.getMetric().name()).toList()), started, deadline,
                policy.freshness());
        // the gate waits past the window's end for a verdict on its last part, for up to the freshness
        return poll(plan.getEventId(), cancel, started, deadline.plus(need.freshness()), over -> Panache.withSession(() -> VerdictEntity.<VerdictEntity>list(
                "deploymentId = ?1 and receivedAt >= ?2 order by receivedAt", plan.getEventId(), started)).map(rows -> {
                    HealthGate.Result result = HealthGate.judge(need, rows.stream().map(VerdictEntity::observed).toList(), Instant.now());
                    return switch (result.outcome()) {
                        case WAIT -> Optional.<Outcome>empty();
                        case PASS -> Optional.of(new Outcome(Ending.SUCCEEDED, result.detail(), elapsed(started)));
                        case FAIL -> Optional.of(new Outcome(Ending.FAILED, result.detail(), elapsed(started)));
                        case INCONCLUSIVE -> Optional.of(switch (policy.whenInconclusive()) {
                            case PROCEED -> new Outcome(Ending.SUCCEEDED, "inconclusive, proceeding by policy: " + result.detail(), elapsed(started));
                            case FAIL -> new Outcome(Ending.FAILED, "inconclusive, failing by policy: " + result.detail(), elapsed(started));
                            case PAUSE -> new Outcome(Ending.INCONCLUSIVE, "inconclusive after " + capped.toSeconds() + " s: " + result.detail(),
                                    elapsed(started));
                        });
                    };
                }));
    }

    private Uni<Outcome> waitForApproval(UUID deploymentId, PlanStep step, Instant started, CompletableFuture<Void> cancel) {
        Instant deadline = started.plus(config.approval().timeout());
        return poll(deploymentId, cancel, started, deadline, over -> Panache.withSession(() -> CommandEntity.<CommandEntity>list(
                "deploymentId = ?1 and kind = 'APPROVE' and stepId = ?2 order by receivedAt", deploymentId.toString(),
                step.getStepId())).map(approvals -> {
                    if (!approvals.isEmpty()) {
                        return Optional.of(new Outcome(Ending.SUCCEEDED, "approved by " + approvals.get(0).requestedBy, elapsed(started)));
                    }
                    return over ? Optional.of(new Outcome(Ending.FAILED, "no approval within " + config.approval().timeout(), elapsed(started)))
                            : Optional.<Outcome>empty();
                }));
    }

    /**
     * Asks {@code probe} (told whether the deadline has passed) until it decides or the step is cancelled: again as soon
     * as new evidence for the deployment is committed (a verdict, an approval), at the deadline, and at the latest every
     * poll interval (a backstop, should the notification that evidence was committed be missed).
     */
    private Uni<Outcome> poll(UUID deploymentId, CompletableFuture<Void> cancel, Instant started, Instant deadline,
            Function<Boolean, Uni<Optional<Outcome>>> probe) {
        if (cancel.isDone()) {
            return Uni.createFrom().item(new Outcome(Ending.CANCELLED, "stopped while waiting", elapsed(started)));
        }
        CompletableFuture<Void> evidence = running.evidence(deploymentId); // before the read: what commits during it wakes the next wait
        Instant now = Instant.now();
        boolean over = !now.isBefore(deadline);
        Duration toDeadline = Duration.between(now, deadline);
        Duration wait = over || toDeadline.compareTo(config.health().poll()) >= 0 ? config.health().poll() : toDeadline;
        return probe.apply(over).chain(decided -> decided.isPresent() ? Uni.createFrom().item(decided.get())
                : sleep(wait, CompletableFuture.anyOf(cancel, evidence)).chain(() -> poll(deploymentId, cancel, started, deadline, probe)));
    }

    /** Waits on this Vert.x context for the interval, or less if {@code early} completes meanwhile. */
    private Uni<Void> sleep(Duration interval, CompletableFuture<?> early) {
        Context context = Vertx.currentContext();
        return Uni.createFrom().emitter(emitter -> {
            AtomicBoolean done = new AtomicBoolean();
            long timer = vertx.setTimer(Math.max(1, interval.toMillis()), t -> {
                if (done.compareAndSet(false, true)) {
                    context.runOnContext(ignored -> emitter.complete(null));
                }
            });
            early.whenComplete((ignored, failure) -> {
                if (done.compareAndSet(false, true)) {
                    vertx.cancelTimer(timer);
                    context.runOnContext(ignored2 -> emitter.complete(null));
                }
            });
        });
    }

    private static Duration elapsed(Instant started) {
        return Duration.between(started, Instant.now());
    }
}
