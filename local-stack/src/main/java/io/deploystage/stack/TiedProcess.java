package io.deploystage.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts child processes that die with this JVM, even when it is killed with kill -9 and no shutdown hook runs:
 * a small bash watchdog runs the command and stops it once this JVM is gone.
 */
public final class TiedProcess {

    private TiedProcess() {
    }

    /** Starts the command with its output appended to {@code log}; the returned process is the watchdog. */
    public static Process start(List<String> command, Path workDir, Path log) {
        long parent = ProcessHandle.current().pid();
        List<String> wrapped = new ArrayList<>(List.of("bash", "-c",
                "\"$@\" & child=$!; trap 'kill $child 2>/dev/null; wait $child; exit $?' TERM INT; "
                        + "while kill -0 " + parent + " 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 0.5; done; "
                        + "kill $child 2>/dev/null; wait $child",
                "tied"));
        wrapped.addAll(command);
        try {
            ProcessBuilder builder = new ProcessBuilder(wrapped)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            if (workDir != null) {
                builder.directory(workDir.toFile());
            }
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + command.get(0), e);
        }
    }

    /** The pid of the command itself (not its watchdog), for memory readings and kill -9. */
    public static ProcessHandle command(Process watchdog) {
        return watchdog.children().findFirst().orElse(watchdog.toHandle());
    }

    /** kill -9 of the command, then of its watchdog. */
    public static void kill9(Process watchdog) {
        command(watchdog).destroyForcibly();
        watchdog.destroyForcibly();
        try {
            watchdog.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
