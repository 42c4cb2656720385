package io.deploystage.cli;

import picocli.CommandLine.Option;

/** Where the services are, and the caller's token; each option also reads an environment variable. */
public class Endpoints {

    @Option(names = "--gate-url", defaultValue = "${env:DEPLOY_STAGE_GATE_URL:-http://localhost:8101}",
            description = "gate-service base URL (env DEPLOY_STAGE_GATE_URL; default ${DEFAULT-VALUE})")
    String gate;

    @Option(names = "--planner-url", defaultValue = "${env:DEPLOY_STAGE_PLANNER_URL:-http://localhost:8102}",
            description = "planner-service base URL (env DEPLOY_STAGE_PLANNER_URL; default ${DEFAULT-VALUE})")
    String planner;

    @Option(names = "--executor-url", defaultValue = "${env:DEPLOY_STAGE_EXECUTOR_URL:-http://localhost:8103}",
            description = "executor-service base URL (env DEPLOY_STAGE_EXECUTOR_URL; default ${DEFAULT-VALUE})")
    String executor;

    @Option(names = "--token", defaultValue = "${env:DEPLOY_STAGE_TOKEN}",
            description = "bearer token (JWT) with the role the command needs: ci, operator or approver (env DEPLOY_STAGE_TOKEN)")
    String token;
}
