package io.deploystage.executor.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.Environment;
import io.deploystage.events.PlanStep;
import io.deploystage.events.RiskLevel;
import io.deploystage.events.StepKind;
import io.deploystage.events.Strategy;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;

/** The Kubernetes driver against the fabric8 mock API server in CRUD mode: what it changes is read back from the server. */
@EnableKubernetesMockClient(crud = true)
class KubernetesTrafficDriverTest {

    static final String NS = "shop";
    KubernetesClient client;
    static final Fence FENCE = new Fence(java.util.UUID.randomUUID(), "canary-25", 1);

    KubernetesTrafficDriver driver;

    @BeforeEach
    void cluster() {
        driver = new KubernetesTrafficDriver(client, NS);
        client.apps().deployments().inNamespace(NS).resource(deployment("checkout-stable", 4, "stable")).create();
        client.apps().deployments().inNamespace(NS).resource(deployment("checkout-canary", 0, "canary")).create();
        client.services().inNamespace(NS).resource(new ServiceBuilder().withNewMetadata().withName("checkout").endMetadata()
                .withNewSpec().withSelector(Map.of("app", "checkout", "color", "blue")).endSpec().build()).create();
    }

    static Deployment deployment(String name, int replicas, String track) {
        return new DeploymentBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withReplicas(replicas)
                .withNewSelector().withMatchLabels(Map.of("app", "checkout", "track", track)).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(Map.of("app", "checkout", "track", track)).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("registry.example.com/shop/checkout:1.0.0").endContainer().endSpec()
                .endTemplate().endSpec().build();
    }

    static DeploymentPlan plan() {
        return DeploymentPlan.newBuilder().setEventId(UUID.randomUUID()).setReleaseId("r").setOccurredAt(Instant.now()).setCausationId(null)
                .setService("checkout").setVersion("1.1.0").setRisk(RiskLevel.MEDIUM).setStrategy(Strategy.CANARY).setRationale("t")
                .setSteps(List.of()).setDeploymentChecklist("c").setRollbackPlan("r").build();
    }

    static PlanStep traffic(String target, int weight) {
        return PlanStep.newBuilder().setStepId("t").setEnvironment(Environment.PRODUCTION).setKind(StepKind.TRAFFIC).setAction("a")
                .setCommand(List.of()).setExpectedOutcome("e").setTrafficPercent(weight).setTrafficTarget(target).build();
    }

    int replicas(String name) {
        return client.apps().deployments().inNamespace(NS).withName(name).get().getSpec().getReplicas();
    }

    @Test
    void canaryWeightsSplitTheReplicasKeepingTheTotal() {
        List<String> seen = new java.util.ArrayList<>();
        for (int weight : List.of(5, 25, 50, 100, 0)) {
            StepResult result = driver.apply(plan(), traffic("prod-1", weight), FENCE);
            assertTrue(result.succeeded(), result.detail());
            seen.add(replicas("checkout-canary") + "/" + replicas("checkout-stable"));
        }
        assertEquals(List.of("1/3", "1/3", "2/2", "4/0", "0/4"), seen, "5% still gets one replica; 0% (the rollback) gets none");
    }

    @Test
    void blueGreenSwitchesTheServiceSelector() {
        assertTrue(driver.apply(plan(), traffic("green", 100), FENCE).succeeded());
        assertEquals(Map.of("app", "checkout", "color", "green"), client.services().inNamespace(NS).withName("checkout").get().getSpec().getSelector());
        assertTrue(driver.apply(plan(), traffic("blue", 100), FENCE).succeeded());
        assertEquals("blue", client.services().inNamespace(NS).withName("checkout").get().getSpec().getSelector().get("color"));
        assertFalse(driver.apply(plan(), traffic("green", 50), FENCE).succeeded(), "blue/green moves all traffic or none");
    }

    static Fence fence(long token) {
        return new Fence(UUID.randomUUID(), "t", token);
    }

    String annotation(HasMetadata object) {
        return object.getMetadata().getAnnotations() == null ? null : object.getMetadata().getAnnotations().get(KubernetesTrafficDriver.FENCE_ANNOTATION);
    }

    /** A step from a driver that lost its lease (an older token than the last change's) is refused and changes nothing. */
    @Test
    void aStepWithAnOlderTokenThanTheLastChangeIsRefused() {
        assertTrue(driver.apply(plan(), traffic("prod-1", 25), fence(1796278966046L)).succeeded());
        assertEquals("1796278966046", annotation(client.apps().deployments().inNamespace(NS).withName("checkout-canary").get()));
        assertEquals("1796278966046", annotation(client.apps().deployments().inNamespace(NS).withName("checkout-stable").get()));

        StepResult stale = driver.apply(plan(), traffic("prod-1", 100), fence(1796278966041L));
        assertFalse(stale.succeeded());
        assertEquals("kubernetes: refused: fencing token 1796278966041 is older than 1796278966046, which a later step put on Deployment "
                + "checkout-canary (this driver lost its lease; another drives the deployment now)", stale.detail());
        assertEquals("1/3", replicas("checkout-canary") + "/" + replicas("checkout-stable"), "unchanged");
        assertTrue(driver.apply(plan(), traffic("prod-1", 0), fence(1796278966046L)).succeeded(), "the same token again: its step run again");
        assertEquals("0/4", replicas("checkout-canary") + "/" + replicas("checkout-stable"));

        assertTrue(driver.apply(plan(), traffic("green", 100), fence(1796278966050L)).succeeded());
        StepResult staleSwitch = driver.apply(plan(), traffic("blue", 100), fence(1796278966049L));
        assertFalse(staleSwitch.succeeded());
        assertTrue(staleSwitch.detail().contains("which a later step put on Service checkout"), staleSwitch.detail());
        assertEquals("green", client.services().inNamespace(NS).withName("checkout").get().getSpec().getSelector().get("color"));

        client.services().inNamespace(NS).withName("checkout").edit(s -> {
            s.getMetadata().getAnnotations().put(KubernetesTrafficDriver.FENCE_ANNOTATION, "by hand");
            return s;
        });
        StepResult unreadable = driver.apply(plan(), traffic("blue", 100), fence(1796278966060L));
        assertFalse(unreadable.succeeded());
        assertTrue(unreadable.detail().contains("is not a fencing token: 'by hand'"), unreadable.detail());
    }

    @Test
    void setsADeploymentsImage() {
        assertTrue(driver.setImage("checkout-canary", "app", "registry.example.com/shop/checkout:1.1.0").succeeded());
        assertEquals("registry.example.com/shop/checkout:1.1.0", client.apps().deployments().inNamespace(NS).withName("checkout-canary").get()
                .getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    }

    @Test
    void whatIsMissingIsAFailedStepWithTheReason() {
        StepResult result = new KubernetesTrafficDriver(client, "elsewhere").apply(plan(), traffic("prod-1", 25), FENCE);
        assertFalse(result.succeeded());
        assertEquals("kubernetes: no Deployment checkout-canary in namespace elsewhere", result.detail());
    }
}
