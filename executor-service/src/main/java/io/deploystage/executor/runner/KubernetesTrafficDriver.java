package io.deploystage.executor.runner;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.PlanStep;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Moves traffic in a Kubernetes namespace with the fabric8 client, by these conventions for a service {@code s}:
 * <ul>
 * <li>blue/green (target {@code blue} or {@code green}): the Service {@code s} selects pods labelled
 * {@code color=<target>}; the step switches its selector;</li>
 * <li>canary (any other target): Deployments {@code s-canary} and {@code s-stable} back the Service (which selects
 * {@code app=s} only); the step splits their replicas so the canary has the step's share of them (at least one while
 * the share is above zero), keeping the total.</li>
 * </ul>
 * {@link #setImage} sets a Deployment's container image, for deploy steps driven the same way.
 */
public final class KubernetesTrafficDriver implements TrafficDriver {

    private final KubernetesClient client;
    private final String namespace;

    public KubernetesTrafficDriver(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    /** Not fenced: the objects are changed without a check of the step's token (a follow-up: an annotation compared under the resourceVersion). */
    @Override
    public StepResult apply(DeploymentPlan plan, PlanStep step, Fence fence) {
        long started = System.nanoTime();
        String service = plan.getService();
        String target = step.getTrafficTarget();
        int weight = step.getTrafficPercent() == null ? 100 : step.getTrafficPercent();
        if (target == null || weight < 0 || weight > 100) {
            return new StepResult(false, "a traffic step needs a target and a weight between 0 and 100", elapsed(started));
        }
        try {
            String detail = "blue".equals(target) || "green".equals(target) ? switchColour(service, target, weight)
                    : splitReplicas(service, weight);
            return new StepResult(true, detail, elapsed(started));
        } catch (KubernetesClientException | IllegalStateException e) {
            return new StepResult(false, "kubernetes: " + e.getMessage(), elapsed(started));
        }
    }

    private String switchColour(String service, String colour, int weight) {
        if (weight != 100) {
            throw new IllegalStateException("blue/green switches all traffic: weight must be 100, not " + weight);
        }
        Service current = client.services().inNamespace(namespace).withName(service).get();
        if (current == null) {
            throw new IllegalStateException("no Service " + service + " in namespace " + namespace);
        }
        client.services().inNamespace(namespace).withName(service).edit(s -> {
            Map<String, String> selector = new HashMap<>(s.getSpec().getSelector() == null ? Map.of() : s.getSpec().getSelector());
            selector.put("color", colour);
            s.getSpec().setSelector(selector);
            return s;
        });
        return "Service " + service + " now selects color=" + colour;
    }

    private String splitReplicas(String service, int weight) {
        Deployment canary = deployment(service + "-canary");
        Deployment stable = deployment(service + "-stable");
        int total = replicas(canary) + replicas(stable);
        if (total == 0) {
            throw new IllegalStateException(service + "-canary and " + service + "-stable have no replicas to share");
        }
        int onCanary = weight == 0 ? 0 : Math.max(1, (int) Math.round(total * weight / 100.0));
        client.apps().deployments().inNamespace(namespace).withName(service + "-canary").scale(onCanary);
        client.apps().deployments().inNamespace(namespace).withName(service + "-stable").scale(total - onCanary);
        return service + "-canary " + onCanary + " of " + total + " replicas (" + weight + "% asked), " + service + "-stable "
                + (total - onCanary);
    }

    /** Sets the image of a Deployment's first container (or the one named {@code container}). */
    public StepResult setImage(String deployment, String container, String image) {
        long started = System.nanoTime();
        try {
            deployment(deployment);
            client.apps().deployments().inNamespace(namespace).withName(deployment).edit(d -> {
                var containers = d.getSpec().getTemplate().getSpec().getContainers();
                containers.stream().filter(c -> container == null || container.equals(c.getName())).findFirst()
                        .orElseThrow(() -> new IllegalStateException("no container " + container + " in " + deployment)).setImage(image);
                return d;
            });
            return new StepResult(true, deployment + " runs " + image, elapsed(started));
        } catch (KubernetesClientException | IllegalStateException e) {
            return new StepResult(false, "kubernetes: " + e.getMessage(), elapsed(started));
        }
    }

    private Deployment deployment(String name) {
        Deployment deployment = client.apps().deployments().inNamespace(namespace).withName(name).get();
        if (deployment == null) {
            throw new IllegalStateException("no Deployment " + name + " in namespace " + namespace);
        }
        return deployment;
    }

    private static int replicas(Deployment deployment) {
        Integer replicas = deployment.getSpec().getReplicas();
        return replicas == null ? 1 : replicas;
    }

    private static Duration elapsed(long started) {
        return Duration.ofNanos(System.nanoTime() - started);
    }
}
