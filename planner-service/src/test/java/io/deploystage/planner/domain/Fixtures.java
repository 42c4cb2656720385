package io.deploystage.planner.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A realistic deploy descriptor and releases that lead to each strategy. */
final class Fixtures {

    static final Instant WINDOW = Instant.parse("2026-11-27T14:00:00Z");

    private Fixtures() {
    }

    static CommandTemplate argv(String... argv) {
        return new CommandTemplate(List.of(argv));
    }

    static EnvironmentSpec environment(String name, List<String> instances) {
        return new EnvironmentSpec(
                new CommandTemplate(List.of("kubectl", "--context", "{environment}", "set", "image", "deployment/checkout-{instance}",
                        "app=registry.example.com/shop/checkout:{version}"), true),
                argv("kubectl", "--context", "{environment}", "rollout", "undo", "deployment/checkout-{instance}"),
                argv("flyway", "-url=jdbc:postgresql://db." + name + ".internal:5432/shop", "-target={version}", "migrate"),
                argv("flyway", "-url=jdbc:postgresql://db." + name + ".internal:5432/shop", "undo"),
                argv("deploy-traffic", "--service", "checkout", "--to", "{instance}", "--weight", "{weight}"),
                argv("flagctl", "set", "{flag}", "--rollout", "{weight}"),
                List.of(new SmokeCheck("health", "GET", "https://checkout." + name + ".example.com/q/health/ready", 200, null),
                        new SmokeCheck("cart", "GET", "https://checkout." + name + ".example.com/api/cart/demo", 200, "items")),
                instances,
                Map.of("errors", "sum(increase(http_server_requests_seconds_count{service=\"checkout\",status=~\"5..\"}[{window}]))"),
                List.of("new-checkout-flow"),
                new Thresholds(1.0, 300, "orders_per_minute", 20, 0.2, 50),
                versionUrls(name, instances));
    }

    /** Each instance, and each colour in production, answers with its version on /version. */
    static Map<String, String> versionUrls(String name, List<String> instances) {
        Map<String, String> urls = new java.util.LinkedHashMap<>();
        List<String> all = new java.util.ArrayList<>(instances);
        if (name.equals("production")) {
            all.addAll(List.of("blue", "green"));
        }
        all.forEach(i -> urls.put(i, "https://" + i + ".checkout." + name + ".example.com/version"));
        return urls;
    }

    static DeployDescriptor descriptor() {
        return new DeployDescriptor("checkout", Map.of(
                Environment.STAGING, environment("staging", List.of("s1")),
                Environment.PRODUCTION, environment("production", List.of("p1", "p2", "p3"))),
                List.of("dana", "rita"), "dana (team lead)", "#checkout-oncall");
    }

    static ChangeProfile profile(DbMigration migration, boolean infra, boolean userFacing, List<String> flags, boolean hotfix) {
        return new ChangeProfile(migration, migration != DbMigration.NONE, infra, userFacing, flags, hotfix, hotfix ? "INC-4711" : null, false, false);
    }

    /** A release whose profile leads to the given strategy. */
    static PlanBuilder.Release releaseFor(Strategy strategy) {
        ChangeProfile profile = switch (strategy) {
            case DIRECT -> profile(DbMigration.NONE, false, true, List.of(), true);
            case ROLLING -> profile(DbMigration.NONE, false, false, List.of(), false);
            case BLUE_GREEN -> profile(DbMigration.ADDITIVE, false, false, List.of(), false);
            case CANARY -> profile(DbMigration.NONE, false, true, List.of(), false);
            case FEATURE_FLAG -> profile(DbMigration.NONE, false, true, List.of("new-checkout-flow"), false);
        };
        return new PlanBuilder.Release("checkout-1.4.0", "checkout", "1.4.0", "0a1b2c3d4e5f", "rita", profile, 0);
    }
}
