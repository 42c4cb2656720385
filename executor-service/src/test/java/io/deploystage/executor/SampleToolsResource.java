package io.deploystage.executor;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.deploystage.stack.sample.SampleInstall;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Installs the sample service's deploy tools for the executor's command steps; its instances stop with the test JVM. */
public class SampleToolsResource implements QuarkusTestResourceLifecycleManager {

    static final List<String> INSTANCES = List.of("staging-1", "prod-1", "prod-2", "blue", "green", "other-1");
    static SampleInstall.Installation installation;

    static synchronized SampleInstall.Installation installation() {
        if (installation == null) {
            installation = SampleInstall.install(Path.of("target", "sample").toAbsolutePath(), INSTANCES);
            SampleInstall.Installation started = installation;
            Runtime.getRuntime().addShutdownHook(new Thread(started::stopAll, "sample-stop"));
        }
        return installation;
    }

    @Override
    public Map<String, String> start() {
        return installation().executorConfig(ProcessHandle.current().pid());
    }

    @Override
    public void stop() {
        // shared by the test classes of this JVM; the shutdown hook stops the instances
    }
}
