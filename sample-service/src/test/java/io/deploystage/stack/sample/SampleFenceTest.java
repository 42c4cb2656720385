package io.deploystage.stack.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample's tools refuse a command whose fencing token is older than one a command on the same target already
 * carried (exit 6, logged), take an equal or newer one, and do not fence a command that carries none. Run through bash
 * with the installed tools' own fence function.
 */
class SampleFenceTest {

    @TempDir
    Path home;

    record Run(int exit, String output) {
    }

    Run fence(String target, String token) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", "source \"$SAMPLE_HOME/bin/sample-fence.sh\"; fence \"$SAMPLE_HOME/state/$1\" \"$1\"; echo acted",
                "sample-fence-test", target).redirectErrorStream(true);
        builder.environment().put("SAMPLE_HOME", home.toString());
        builder.environment().remove("DEPLOYSTAGE_FENCING_TOKEN");
        if (token != null) {
            builder.environment().put("DEPLOYSTAGE_FENCING_TOKEN", token);
            builder.environment().put("DEPLOYSTAGE_STEP_ID", "deploy-canary");
        }
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(process.waitFor(), output);
    }

    @Test
    void anOlderTokenIsRefusedOnItsTargetOnly() throws Exception {
        SampleInstall.install(home, List.of("prod-1", "prod-2"));
        assertEquals(new Run(0, "acted\n"), fence("prod-1", "1764745200000"));
        assertEquals(new Run(0, "acted\n"), fence("prod-1", "1764745200007"));
        assertEquals(new Run(0, "acted\n"), fence("prod-1", "1764745200007"), "the same token again (a step run again by its driver)");

        Run stale = fence("prod-1", "1764745200003");
        assertEquals(6, stale.exit(), stale.output());
        assertTrue(stale.output().contains("refused: fencing token 1764745200003 is older than 1764745200007"), stale.output());
        assertTrue(Files.readString(home.resolve("actions.log")).contains(" refused prod-1 1764745200003 1764745200007 deploy-canary\n"));
        assertEquals("1764745200007", Files.readString(home.resolve("state/prod-1/fence")).trim(), "a refusal leaves the fence as it was");

        assertEquals(new Run(0, "acted\n"), fence("prod-2", "1764745200003"), "another target has its own fence");
        assertEquals(new Run(0, "acted\n"), fence("prod-1", null), "a command without a token (run by hand) is not fenced");
        Run bad = fence("prod-1", "1e9; rm -rf /");
        assertEquals(2, bad.exit(), bad.output());
        assertTrue(bad.output().contains("bad DEPLOYSTAGE_FENCING_TOKEN"), bad.output());
    }
}
