package io.deploystage.platform.domain;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which commands a deploy step may run: a program of the descriptor's own, given as argv, never a shell or an
 * interpreter handed text to run, and never a wrapper that runs the rest of argv as another program (which could hide
 * one). The planner refuses such a descriptor when it is registered; the executor refuses a plan that carries one, and
 * runs only executables under its allowed directories when they are configured.
 *
 * <p>Examples refused: {@code sh -c …}, {@code nice sh …}, {@code env X=1 deploy}, {@code python3 -c …},
 * {@code kubectl exec pod -- bash}, {@code sudo deploy}. Allowed: {@code kubectl set image …}, {@code /opt/tools/deploy …}.
 */
public final class CommandPolicy {

    /**
     * Programs that run text they are given (a script, -c, -e): refused as the program, after a {@code --} that starts
     * another command (kubectl exec … -- sh), given as a path, or followed by an inline-code flag. Elsewhere the same word
     * is data ({@code kubectl get node}).
     */
    private static final Set<String> INTERPRETERS = Set.of("sh", "bash", "zsh", "dash", "ksh", "mksh", "csh", "tcsh", "fish", "ash", "busybox",
            "powershell", "pwsh", "cmd", "cmd.exe", "python", "python2", "python3", "pypy", "pypy3", "perl", "ruby", "irb", "node", "nodejs",
            "deno", "bun", "php", "lua", "luajit", "tclsh", "wish", "osascript", "awk", "gawk", "mawk", "nawk", "jshell", "groovy", "expect");
    /** Versioned interpreters: python3.12, perl5.36, … */
    private static final Pattern VERSIONED = Pattern.compile("(python|pypy|perl|ruby|node|php|lua)[0-9.]+");
    /** Programs that run the rest of argv as another program: refused as the program. */
    private static final Set<String> WRAPPERS = Set.of("env", "eval", "exec", "xargs", "nice", "nohup", "timeout", "sudo", "doas", "su",
            "runuser", "chroot", "setsid", "stdbuf", "ionice", "taskset", "unshare", "nsenter", "flock", "script", "watch", "time", "strace",
            "ltrace", "parallel", "chrt", "numactl", "firejail", "systemd-run");
    /** Flags that hand an interpreter code to run inline. */
    private static final Set<String> INLINE_CODE = Set.of("-c", "-e", "-E", "--eval", "-Command", "-EncodedCommand", "-r", "--command");

    private CommandPolicy() {
    }

    /** Why {@code argv} may not be a step's command, in words; empty when it may. {@code where} names it in the messages. */
    public static List<String> problems(String where, List<String> argv) {
        List<String> problems = new ArrayList<>();
        if (argv.isEmpty()) {
            problems.add(where + ": the command is empty");
            return problems;
        }
        String program = base(argv.get(0));
        if (WRAPPERS.contains(program)) {
            problems.add(where + ": '" + program + "' runs another program from its arguments; give the program itself as argv[0]");
        }
        for (int i = 0; i < argv.size(); i++) {
            String arg = argv.get(i);
            String name = base(arg);
            boolean runsAsProgram = i == 0 || "--".equals(argv.get(i - 1)) || arg.contains("/")
                    || i + 1 < argv.size() && INLINE_CODE.contains(argv.get(i + 1));
            if (runsAsProgram && (INTERPRETERS.contains(name) || VERSIONED.matcher(name).matches())) {
                problems.add(where + (i == 0 ? "" : "[" + i + "]") + ": '" + name + "' would run a shell or an interpreter on text; give the"
                        + " program itself as argv[0] and its arguments as data");
            }
        }
        return problems;
    }

    /** True when no directory is configured, or the executable (a real, absolute path) lies under one of them. */
    public static boolean allowed(Path executable, List<Path> allowedDirectories) {
        if (allowedDirectories.isEmpty()) {
            return true;
        }
        Path normal = executable.toAbsolutePath().normalize();
        return allowedDirectories.stream().map(d -> d.toAbsolutePath().normalize()).anyMatch(d -> normal.startsWith(d) && !normal.equals(d));
    }

    private static String base(String arg) {
        return arg.substring(arg.lastIndexOf('/') + 1);
    }
}
