package io.deploystage.executor.runner;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.deploystage.platform.domain.CommandPolicy;

/**
 * Runs a step's command: the argv from the plan, never through a shell, with a timeout, the working directory and
 * environment of the deploy descriptor, and its output captured (truncated, secrets masked). Blocking: call it off
 * the event loop.
 */
public final class CommandRunner {

    /**
     * What to run with: the command's whole environment (nothing else of the executor's reaches it), and the directories
     * its executable must lie in (empty: any).
     */
    public record Settings(Duration timeout, Path workingDirectory, Map<String, String> environment, List<String> secretVariables,
            int maxOutput, List<Path> allowedPaths) {

        public Settings(Duration timeout, Path workingDirectory, Map<String, String> environment, List<String> secretVariables, int maxOutput) {
            this(timeout, workingDirectory, environment, secretVariables, maxOutput, List.of());
        }

        /** These settings with the step's fencing token in the command's environment (over any variable of the same name). */
        public Settings fenced(Fence fence) {
            Map<String, String> fenced = new java.util.LinkedHashMap<>(environment);
            fenced.putAll(fence.environment());
            return new Settings(timeout, workingDirectory, fenced, secretVariables, maxOutput, allowedPaths);
        }
    }

    private CommandRunner() {
    }

    public static StepResult run(List<String> argv, Settings settings) {
        long started = System.nanoTime();
        if (argv.isEmpty()) {
            return new StepResult(false, "no command", Duration.ZERO);
        }
        List<String> problems = CommandPolicy.problems("the command", argv);
        if (!problems.isEmpty()) {
            return new StepResult(false, "refused: " + String.join("; ", problems), elapsed(started));
        }
        if (!settings.allowedPaths().isEmpty()) {
            Path executable = resolve(argv.get(0), settings.environment().get("PATH"), settings.workingDirectory());
            if (executable == null || !CommandPolicy.allowed(executable, settings.allowedPaths())) {
                return new StepResult(false, "refused: " + argv.get(0) + (executable == null ? " is not an executable found on the command's PATH"
                        : " is " + executable) + ", not under executor.command.allowed-paths " + settings.allowedPaths(), elapsed(started));
            }
        }
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
        if (settings.workingDirectory() != null) {
            builder.directory(settings.workingDirectory().toFile());
        }
        builder.environment().clear(); // never the executor's own secrets: only what the settings give
        builder.environment().putAll(settings.environment());
        List<String> secrets = settings.secretVariables().stream().map(settings.environment()::get).toList();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return new StepResult(false, "cannot start " + argv.get(0) + ": " + e.getMessage(), elapsed(started));
        }
        OutputCollector output = new OutputCollector(process.getInputStream(), settings.maxOutput() * 4);
        output.start();
        try {
            boolean finished = process.waitFor(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            output.join(2_000);
            String printed = SecretMask.tail(SecretMask.mask(output.text(), secrets), settings.maxOutput());
            if (!finished) {
                return new StepResult(false, "timed out after " + settings.timeout().toSeconds() + " s and was killed; output: " + printed,
                        elapsed(started));
            }
            int exit = process.exitValue();
            return new StepResult(exit == 0, "exit code " + exit + (printed.isBlank() ? "" : "; output: " + printed), elapsed(started));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return new StepResult(false, "interrupted", elapsed(started));
        }
    }

    /** The real path of the executable argv[0] names (on PATH when it has no '/'), or null when there is none. */
    static Path resolve(String program, String path, Path workingDirectory) {
        List<Path> candidates = new java.util.ArrayList<>();
        if (program.contains("/")) {
            Path p = Path.of(program);
            candidates.add(p.isAbsolute() || workingDirectory == null ? p : workingDirectory.resolve(p));
        } else if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    candidates.add(Path.of(dir, program));
                }
            }
        }
        for (Path candidate : candidates) {
            if (java.nio.file.Files.isRegularFile(candidate) && java.nio.file.Files.isExecutable(candidate)) {
                try {
                    return candidate.toRealPath();
                } catch (IOException e) {
                    return null;
                }
            }
        }
        return null;
    }

    private static Duration elapsed(long started) {
        return Duration.ofNanos(System.nanoTime() - started);
    }

    /** Reads the output as it comes, keeping at most {@code limit} bytes (the latest), so a chatty command never blocks. */
    private static final class OutputCollector extends Thread {
        private final InputStream in;
        private final int limit;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();

        OutputCollector(InputStream in, int limit) {
            super("step-output");
            setDaemon(true);
            this.in = in;
            this.limit = limit;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[8192];
            try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    synchronized (kept) {
                        kept.write(buffer, 0, n);
                        if (kept.size() > limit * 2) {
                            byte[] all = kept.toByteArray();
                            kept.reset();
                            kept.write(all, all.length - limit, limit);
                        }
                    }
                }
            } catch (IOException ignored) {
                // the process went away
            }
        }

        String text() {
            synchronized (kept) {
                return kept.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
