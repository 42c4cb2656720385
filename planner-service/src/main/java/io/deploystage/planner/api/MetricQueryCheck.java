package io.deploystage.planner.api;

import java.util.ArrayList;
import java.util.List;

import io.deploystage.events.MetricQueryNames;
import io.deploystage.planner.domain.CommandTemplate;
import io.deploystage.planner.domain.DeployDescriptor;

/**
 * The descriptor's metric queries name measures the monitor knows (the contract's vocabulary, {@link MetricQueryNames}),
 * and a scrape names http(s) URLs only. Checked where descriptors come in, beside {@link DeployDescriptor#problems()}.
 */
public final class MetricQueryCheck {

    private MetricQueryCheck() {
    }

    public static List<String> problems(DeployDescriptor descriptor) {
        List<String> problems = new ArrayList<>();
        descriptor.environments().forEach((environment, spec) -> spec.metricQueries().forEach((name, query) -> {
            String at = environment.label() + ".metricQueries";
            if (!MetricQueryNames.isKnown(name)) {
                problems.add(at + ": '" + CommandTemplate.abbreviate(String.valueOf(name)) + "' is not one of " + MetricQueryNames.known());
            } else if (name.equals(MetricQueryNames.SCRAPE)) {
                for (String url : query.split(",")) {
                    if (!DeployDescriptor.isHttpUrl(url.trim())) {
                        problems.add(at + ".scrape: '" + CommandTemplate.abbreviate(url.trim()) + "' is not an absolute http(s) URL");
                    }
                }
            }
        }));
        return problems;
    }
}
