package io.deploystage.e2e;

import io.deploystage.stack.DevTokens;
import io.deploystage.stack.EventClient;
import io.deploystage.stack.ServiceProcess;

/** The running system for code outside this package (the benchmarks). */
public final class RunningSystemAccess {

    private final RunningSystem system;

    private RunningSystemAccess(RunningSystem system) {
        this.system = system;
    }

    public static RunningSystemAccess get() {
        return new RunningSystemAccess(RunningSystem.get());
    }

    public EventClient client() {
        return system.client;
    }

    public ServiceProcess service(String name) {
        return system.service(name);
    }

    /** Kafka client settings logged in as the broker's super user. */
    public java.util.Map<String, Object> kafkaAdminConfig() {
        return system.stack.kafkaAdminConfig();
    }

    public DevTokens tokens() {
        return system.stack.tokens();
    }
}
