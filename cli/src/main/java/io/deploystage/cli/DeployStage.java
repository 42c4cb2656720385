package io.deploystage.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** deploy-stage: the command line of Deploy Stage for CI systems and operators. */
@TopCommand
@Command(name = "deploy-stage", mixinStandardHelpOptions = true, version = "deploy-stage 0.1.0",
        description = "Publish gate results, submit releases, read plans, watch events and steer deployments.",
        subcommands = {DeployStage.Gate.class, DeployStage.Release.class, DeployStage.Plan.class, Listing.Status.class, Listing.ListCommand.class,
                Watch.class, DeployStage.Approve.class, DeployStage.Pause.class, DeployStage.Resume.class, DeployStage.Abort.class,
                DeployStage.Rollback.class, DeployStage.Flag.class, picocli.AutoComplete.GenerateCompletion.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:rejected by the service (invalid input, a state that does not allow it)", "2:bad usage or unreadable file",
                "3:service unreachable", "4:not authenticated or not allowed (role)", "5:not found", "6:the service failed"})
public class DeployStage {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String RELEASE_ID = "[A-Za-z0-9][A-Za-z0-9._:-]{0,199}";

    @Command(name = "gate", mixinStandardHelpOptions = true, description = "Gate results.", subcommands = Gate.Publish.class)
    static class Gate {

        @Command(name = "publish", mixinStandardHelpOptions = true,
                description = "Publish a gate result for a release: SARIF (security), JUnit XML (tests), JaCoCo or Cobertura XML (coverage of"
                        + " the latest test result), or a JSON gate result. Needs role ci.")
        static class Publish extends ServiceCommand {
            @Option(names = {"-r", "--release"}, required = true, description = "release id")
            String releaseId;
            @Option(names = {"-f", "--format"}, description = "sarif, junit, jacoco, cobertura or json (default: from the file)")
            String format;
            @Parameters(paramLabel = "FILE", description = "the report")
            Path file;

            @Override
            public Integer call() throws IOException {
                String id = release(releaseId);
                if (!Files.isRegularFile(file)) {
                    throw usage("cannot read " + file);
                }
                if (Files.size(file) > 8 * 1024 * 1024) {
                    throw usage(file + " is larger than 8 MiB");
                }
                byte[] body = Files.readAllBytes(file);
                String kind = format == null ? detect(file, body) : format.toLowerCase(Locale.ROOT);
                Api.Reply reply = switch (kind) {
                    case "json" -> Api.post(endpoints.gate, "/releases/" + id + "/gate-results", endpoints.token, "application/json", body);
                    case "sarif", "junit", "jacoco", "cobertura" -> Api.post(endpoints.gate, "/releases/" + id + "/reports/" + kind, endpoints.token,
                            kind.equals("sarif") ? "application/sarif+json" : "application/xml", body);
                    default -> throw usage("unknown format '" + kind
                            + "': use sarif, junit, jacoco, cobertura or json");
                };
                return report(reply);
            }

            /** From the name and the first bytes: SARIF is JSON with "runs"; XML is JUnit, JaCoCo or Cobertura by its root. */
            static String detect(Path file, byte[] body) {
                String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
                String head = new String(body, 0, Math.min(body.length, 4096), StandardCharsets.UTF_8);
                if (name.endsWith(".sarif") || name.endsWith(".sarif.json") || head.contains("\"runs\"") && head.contains("sarif")) {
                    return "sarif";
                }
                if (name.endsWith(".json")) {
                    return "json";
                }
                if (head.contains("<testsuite")) {
                    return "junit";
                }
                if (head.contains("<report") && head.contains("jacoco") || head.contains("JACOCO") || head.contains("<report ")) {
                    return "jacoco";
                }
                if (head.contains("<coverage")) {
                    return "cobertura";
                }
                return "unknown (give --format)";
            }
        }
    }

    @Command(name = "release", mixinStandardHelpOptions = true, description = "Releases.", subcommands = Release.Submit.class)
    static class Release {

        @Command(name = "submit", mixinStandardHelpOptions = true, description = "Submit a release candidate. Needs role ci.")
        static class Submit extends ServiceCommand {
            @Option(names = {"-r", "--release"}, required = true, description = "release id")
            String releaseId;
            @Option(names = {"-s", "--service"}, required = true)
            String service;
            @Option(names = {"-v", "--version"}, required = true)
            String version;
            @Option(names = "--commit", required = true, description = "the commit SHA")
            String commit;
            @Option(names = "--artifact", description = "the artifact (default service:version)")
            String artifact;
            @Option(names = "--gates", split = ",", defaultValue = "REVIEW,TEST,SECURITY", description = "required gates (default ${DEFAULT-VALUE})")
            List<String> gates;
            @Option(names = "--db-migration", defaultValue = "NONE", description = "NONE, ADDITIVE or DESTRUCTIVE")
            String dbMigration;
            @Option(names = "--user-facing")
            boolean userFacing;
            @Option(names = "--infrastructure")
            boolean infrastructure;
            @Option(names = "--flag", description = "a feature flag the release is behind (repeatable)")
            List<String> flags = new ArrayList<>();
            @Option(names = "--hotfix")
            boolean hotfix;
            @Option(names = "--incident")
            String incident;
            @Option(names = "--external-api", description = "the release changes an API partners call (held for a team lead)")
            boolean externalApi;
            @Option(names = "--sends-notifications", description = "the release sends notifications or emails to users (held for a team lead)")
            boolean sendsNotifications;
            @Option(names = "--issue", description = "an issue the release resolves, closed when it is deployed: #12, owner/repo#12 or CHK-12"
                    + " (repeatable)")
            List<String> issues = new ArrayList<>();

            @Override
            public Integer call() throws IOException {
                Map<String, Object> profile = new LinkedHashMap<>();
                profile.put("dbMigration", dbMigration.toUpperCase(Locale.ROOT));
                profile.put("migrationReversible", !"DESTRUCTIVE".equalsIgnoreCase(dbMigration));
                profile.put("infrastructureChanges", infrastructure);
                profile.put("userFacing", userFacing);
                profile.put("featureFlags", flags);
                profile.put("hotfix", hotfix);
                profile.put("incidentId", incident);
                profile.put("externalApiChange", externalApi);
                profile.put("sendsNotifications", sendsNotifications);
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("releaseId", release(releaseId));
                body.put("service", service);
                body.put("version", version);
                body.put("commitSha", commit);
                body.put("artifact", artifact == null ? service + ":" + version : artifact);
                body.put("changeProfile", profile);
                body.put("requiredGates", gates.stream().map(g -> g.trim().toUpperCase(Locale.ROOT)).toList());
                body.put("issues", issues);
                return report(Api.post(endpoints.gate, "/releases", endpoints.token, "application/json", JSON.writeValueAsBytes(body)));
            }
        }
    }

    @Command(name = "plan", mixinStandardHelpOptions = true, description = "Deployment plans.", subcommands = Plan.Show.class)
    static class Plan {

        @Command(name = "show", mixinStandardHelpOptions = true, description = "Print a release's deployment checklist (or rollback plan) as Markdown.")
        static class Show extends ServiceCommand {
            @Parameters(paramLabel = "RELEASE")
            String releaseId;
            @Option(names = "--rollback-plan", description = "the rollback plan instead of the checklist")
            boolean rollbackPlan;

            @Override
            public Integer call() {
                String artifact = rollbackPlan ? "rollback-plan" : "deployment-checklist";
                return report(Api.get(endpoints.planner, "/plans/" + release(releaseId) + "/" + artifact, endpoints.token, "text/markdown"));
            }
        }
    }

    /** Steers a deployment, named by its id or its release id (the latest deployment of that release). */
    abstract static class Steer extends ServiceCommand {
        @Parameters(paramLabel = "DEPLOYMENT", description = "deployment id, or release id")
        String target;
        @Option(names = {"-m", "--comment"}, description = "why (recorded and announced)")
        String comment;

        /** The action sent to the executor: the command's own name (approve, pause, resume, abort, rollback). */
        String action() {
            return spec.name();
        }

        String stepId() {
            return null;
        }

        @Override
        public Integer call() throws IOException {
            String deploymentId = target;
            if (!target.matches("[0-9a-fA-F-]{36}")) {
                Api.Reply list = Api.get(endpoints.executor, "/deployments?" + Listing.Report.query("release", release(target)), endpoints.token,
                        "application/json");
                if (!list.ok()) {
                    return report(list);
                }
                JsonNode latest = JSON.readTree(list.body()).path(0); // newest first
                if (latest.isMissingNode()) {
                    spec.commandLine().getErr().println("deploy-stage: release " + target + " has no deployment");
                    return ExitCodes.NOT_FOUND;
                }
                deploymentId = latest.path("deploymentId").asText();
            }
            Map<String, Object> body = new LinkedHashMap<>();
            if (comment != null) {
                body.put("comment", comment);
            }
            if (stepId() != null) {
                body.put("stepId", stepId());
            }
            return report(Api.post(endpoints.executor, "/deployments/" + deploymentId + "/" + action(), endpoints.token, "application/json",
                    JSON.writeValueAsBytes(body)));
        }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true, description = "Approve a deployment's approval step. Needs role approver.")
    static class Approve extends Steer {
        @Option(names = "--step", description = "the approval step (default: any)")
        String step;

        @Override
        String stepId() {
            return step;
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true, description = "Pause a deployment before its next step. Needs role operator.")
    static class Pause extends Steer {
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resume a paused deployment. Needs role operator.")
    static class Resume extends Steer {
    }

    @Command(name = "abort", mixinStandardHelpOptions = true, description = "Stop a deployment's forward steps. Needs role operator.")
    static class Abort extends Steer {
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true, description = "Run a deployment's rollback procedure. Needs role operator.")
    static class Rollback extends Steer {
    }

    @Command(name = "flag", mixinStandardHelpOptions = true, description = "Feature flags.", subcommands = Flag.Kill.class)
    static class Flag {

        @Command(name = "kill", mixinStandardHelpOptions = true, description = "The kill switch: the flag is off for everyone at once. Needs role operator.")
        static class Kill extends ServiceCommand {
            @Parameters(paramLabel = "FLAG")
            String key;

            @Override
            public Integer call() {
                if (!key.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,199}")) {
                    throw usage("flag key '" + key + "' is not valid");
                }
                return report(Api.post(endpoints.executor, "/flags/" + key + "/kill", endpoints.token, "application/json", null));
            }
        }
    }
}
