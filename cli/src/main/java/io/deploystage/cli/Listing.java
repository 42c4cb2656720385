package io.deploystage.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What is there: lists of releases, deployments and flags, and one release's status, as a table or as JSON. */
final class Listing {

    private Listing() {
    }

    enum Output { table, json }

    static final List<Table.Column> RELEASES = List.of(Table.column("RELEASE", "releaseId"), Table.column("SERVICE", "service"),
            Table.column("VERSION", "version"), Table.column("GATE", "outcome"), Table.column("REQUESTED BY", "requestedBy"),
            Table.column("SUBMITTED", "submittedAt"));
    static final List<Table.Column> DEPLOYMENTS = List.of(Table.column("DEPLOYMENT", "deploymentId"), Table.column("RELEASE", "releaseId"),
            Table.column("SERVICE", "service"), Table.column("VERSION", "version"), Table.column("STRATEGY", "strategy"),
            Table.column("STATE", "state"), Table.column("PHASE", "phase"), Table.column("NEXT STEP", "nextStep"),
            Table.column("UPDATED", "updatedAt"), Table.column("REASON", "reason"));
    static final List<Table.Column> FLAGS = List.of(Table.column("FLAG", "key"), Table.column("ENABLED", "enabled"),
            Table.column("ROLLOUT %", "rolloutPercent"), Table.column("INTERNAL", "internalEnabled"), Table.column("KILLED", "killed"));

    /** A command whose output is a table or JSON. */
    abstract static class Report extends ServiceCommand {
        @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table or json (default ${DEFAULT-VALUE})")
        Output output;

        /** GETs the path as JSON; null (with the reason printed and {@link #failed} set) when it fails. */
        JsonNode read(String base, String path) throws IOException {
            Api.Reply reply = Api.get(base, path, endpoints.token, "application/json");
            if (!reply.ok()) {
                failed = report(reply);
                return null;
            }
            return DeployStage.JSON.readTree(reply.body());
        }

        int failed;

        int print(JsonNode rows, List<Table.Column> columns) throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            if (output == Output.json) {
                out.println(DeployStage.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(rows));
                out.flush();
            } else {
                Table.print(out, rows, columns);
            }
            return ExitCodes.OK;
        }

        static String query(String name, String value) {
            return value == null ? "" : name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List releases (with their gate decision), deployments (newest"
            + " first, at most 100) or flags.")
    static class ListCommand extends Report {
        @Parameters(paramLabel = "WHAT", description = "releases, deployments or flags")
        String what;
        @Option(names = {"-s", "--service"}, description = "only this service's releases or deployments")
        String service;
        @Option(names = {"-r", "--release"}, description = "only this release's deployments")
        String releaseId;

        @Override
        public Integer call() throws IOException {
            String filter = String.join("&", List.of(query("service", service), query("release", releaseId == null ? null : release(releaseId)))
                    .stream().filter(q -> !q.isEmpty()).toList());
            String suffix = filter.isEmpty() ? "" : "?" + filter;
            JsonNode rows;
            List<Table.Column> columns;
            switch (what) {
                case "releases" -> {
                    rows = read(endpoints.gate, "/releases" + (service == null ? "" : "?" + query("service", service)));
                    columns = RELEASES;
                }
                case "deployments" -> {
                    rows = read(endpoints.executor, "/deployments" + suffix);
                    columns = DEPLOYMENTS;
                }
                case "flags" -> {
                    rows = read(endpoints.executor, "/flags");
                    columns = FLAGS;
                }
                default -> throw usage("cannot list '" + what + "': use releases, deployments or flags");
            }
            return rows == null ? failed : print(rows, columns);
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "A release's status: its gate decision with the reasons, its"
            + " plan, and its deployments with the state and the step each is at. Without a release: the latest deployments.")
    static class Status extends Report {
        @Parameters(paramLabel = "RELEASE", arity = "0..1", description = "release id")
        String releaseId;

        @Override
        public Integer call() throws IOException {
            if (releaseId == null) {
                JsonNode rows = read(endpoints.executor, "/deployments");
                return rows == null ? failed : print(rows, DEPLOYMENTS);
            }
            String id = release(releaseId);
            JsonNode gate = read(endpoints.gate, "/releases/" + id + "/gate");
            if (gate == null) {
                return failed;
            }
            // no plan yet, no deployment yet: part of the status, not a failure
            Api.Reply planned = Api.get(endpoints.planner, "/plans/" + id, endpoints.token, "application/json");
            if (!planned.ok() && planned.exitCode() != ExitCodes.NOT_FOUND) {
                return report(planned);
            }
            JsonNode plan = planned.ok() ? DeployStage.JSON.readTree(planned.body()) : null;
            JsonNode deployments = read(endpoints.executor, "/deployments?" + query("release", id));
            if (deployments == null) {
                return failed;
            }
            PrintWriter out = spec.commandLine().getOut();
            if (output == Output.json) {
                ObjectNode status = DeployStage.JSON.createObjectNode();
                status.put("releaseId", id);
                status.set("gate", gate);
                if (plan != null) {
                    ((ObjectNode) plan).remove(List.of("deploymentChecklist", "rollbackPlan", "plan"));
                }
                status.set("plan", plan);
                status.set("deployments", deployments);
                out.println(DeployStage.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(status));
                out.flush();
                return ExitCodes.OK;
            }
            out.printf("release %s: %s %s, requested by %s%n", id, Table.text(gate, "service"), Table.text(gate, "version"),
                    Table.text(gate, "requestedBy"));
            out.printf("gate: %s%n", Table.text(gate, "outcome"));
            for (JsonNode reason : gate.path("reasons")) {
                out.printf("  - %s%n", Table.text(reason, "message"));
            }
            out.printf("plan: %s%n", plan == null ? "none yet"
                    : Table.text(plan, "status") + ", strategy " + Table.text(plan, "strategy") + ", deployment " + Table.text(plan, "deploymentId")
                            + (plan.path("reason").isNull() || plan.path("reason").isMissingNode() ? "" : " (" + Table.text(plan, "reason") + ")"));
            out.println("deployments:");
            if (deployments.isEmpty()) {
                out.println("  none yet");
            } else {
                Table.print(out, deployments, DEPLOYMENTS);
            }
            out.flush();
            return ExitCodes.OK;
        }
    }
}
