package io.deploystage.console.domain;

import java.util.Set;

/**
 * Which of the console's buttons a caller's roles allow, as the executor decides them (it checks again on every
 * command): steering a deployment (pause, resume, abort, rollback) and killing a flag take {@code operator}; an
 * approval takes {@code approver} or {@code senior}. The page shows only the buttons allowed.
 */
public record Permissions(boolean steer, boolean approve, boolean killFlags) {

    public static Permissions of(Set<String> roles) {
        return new Permissions(roles.contains("operator"), roles.contains("approver") || roles.contains("senior"), roles.contains("operator"));
    }
}
