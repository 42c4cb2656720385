package io.deploystage.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** A command that calls a service: where the services are, the caller's token, and how a reply becomes output and exit code. */
abstract class ServiceCommand implements Callable<Integer> {

    @Mixin
    Endpoints endpoints;

    @Spec
    CommandSpec spec;

    int report(Api.Reply reply) {
        return Api.report(reply, spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    String release(String releaseId) {
        if (!releaseId.matches(DeployStage.RELEASE_ID)) {
            throw usage("release id '" + releaseId + "' is not valid: letters, digits, '.', '_', ':' and '-', at most 200");
        }
        return releaseId;
    }
}
