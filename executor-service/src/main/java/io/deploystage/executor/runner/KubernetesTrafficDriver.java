package io.deploystage.executor.runner;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.PlanStep;
import io.fabric8.kubernetes.api.model.HasMetadata;
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
 * <p>
 * Fenced: each object a step changes keeps the step's fencing token in the annotation {@value #FENCE_ANNOTATION}, and
 * a step whose token is below the one there is refused; the check and the change are one update under the object's
 * resourceVersion, so a change made between them (by the driver that took over) makes the update fail and be made
 * again on what is there now.
 */
public final class KubernetesTrafficDriver implements TrafficDriver {

    /** The highest fencing token that changed an object. */
    public static final String FENCE_ANNOTATION = "deploystage.io/fencing-token";

    /** Updates made again after a conflict (another writer changed the object between our read and our update). */
    private static final int ATTEMPTS = 3;

    private final KubernetesClient client;
    private final String namespace;

    public KubernetesTrafficDriver(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

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
            String detail = "blue".equals(target) || "green".equals(target) ? switchColour(service, target, weight, fence)
                    : splitReplicas(service, weight, fence);
            return new StepResult(true, detail, elapsed(started));
        } catch (KubernetesClientException | IllegalStateException e) {
            return new StepResult(false, "kubernetes: " + e.getMessage(), elapsed(started));
        }
    }

    private String switchColour(String service, String colour, int weight, Fence fence) {
        if (weight != 100) {
            throw new IllegalStateException("blue/green switches all traffic: weight must be 100, not " + weight);
        }
        fenced(() -> client.services().inNamespace(namespace).withName(service).get(), "Service " + service, fence, s -> {
            Map<String, String> selector = new HashMap<>(s.getSpec().getSelector() == null ? Map.of() : s.getSpec().getSelector());
            selector.put("color", colour);
            s.getSpec().setSelector(selector);
        }, s -> client.services().inNamespace(namespace).resource(s).update());
        return "Service " + service + " now selects color=" + colour;
    }

    private String splitReplicas(String service, int weight, Fence fence) {
        Deployment canary = deployment(service + "-canary");
        Deployment stable = deployment(service + "-stable");
        int total = replicas(canary) + replicas(stable);
        if (total == 0) {
            throw new IllegalStateException(service + "-canary and " + service + "-stable have no replicas to share");
        }
        int onCanary = weight == 0 ? 0 : Math.max(1, (int) Math.round(total * weight / 100.0));
        scale(service + "-canary", onCanary, fence);
        scale(service + "-stable", total - onCanary, fence);
        return service + "-canary " + onCanary + " of " + total + " replicas (" + weight + "% asked), " + service + "-stable "
                + (total - onCanary);
    }

    private void scale(String name, int replicas, Fence fence) {
        fenced(() -> client.apps().deployments().inNamespace(namespace).withName(name).get(), "Deployment " + name, fence,
                d -> d.getSpec().setReplicas(replicas), d -> client.apps().deployments().inNamespace(namespace).resource(d).update());
    }

    /**
     * Reads the object, refuses the step if a newer token changed it, applies the change with this token in the
     * annotation, and updates it under the resourceVersion read; a conflict (409) reads it again.
     */
    private <T extends HasMetadata> void fenced(java.util.function.Supplier<T> read, String what, Fence fence, java.util.function.Consumer<T> change,
            java.util.function.Consumer<T> update) {
        for (int attempt = 1;; attempt++) {
            T object = read.get();
            if (object == null) {
                throw new IllegalStateException("no " + what + " in namespace " + namespace);
            }
            Map<String, String> annotations = new HashMap<>(object.getMetadata().getAnnotations() == null ? Map.of()
                    : object.getMetadata().getAnnotations());
            long seen = seen(annotations.get(FENCE_ANNOTATION));
            if (fence.token() < seen) {
                throw new IllegalStateException("refused: fencing token " + fence.token() + " is older than " + seen + ", which a later step put on "
                        + what + " (this driver lost its lease; another drives the deployment now)");
            }
            annotations.put(FENCE_ANNOTATION, Long.toString(fence.token()));
            object.getMetadata().setAnnotations(annotations);
            change.accept(object);
            try {
                update.accept(object);
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private static long seen(String annotation) {
        try {
            return annotation == null ? Long.MIN_VALUE : Long.parseLong(annotation.trim());
        } catch (NumberFormatException e) {
            // refused rather than overwritten: it may hide a newer change
            throw new IllegalStateException("the annotation " + FENCE_ANNOTATION + " is not a fencing token: '" + annotation
                    + "'; remove it or set it to the last token that changed the object");
        }
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
