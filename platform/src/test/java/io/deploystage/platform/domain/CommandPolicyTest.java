package io.deploystage.platform.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CommandPolicyTest {

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "kubectl set image deployment/checkout app=img:1.2.0 | ",
            "/opt/deploy/bin/deploy --version 1.2.0               | ",
            "kubectl get node                                     | ",
            "helm upgrade checkout chart --set image.tag=1.2.0    | ",
            "sh -c deploy                                         | 'sh' would run a shell",
            "/bin/bash deploy.sh                                  | 'bash' would run a shell",
            "nice sh -c deploy                                    | 'nice' runs another program",
            "env X=1 deploy                                       | 'env' runs another program",
            "sudo deploy                                          | 'sudo' runs another program",
            "timeout 60 deploy                                    | 'timeout' runs another program",
            "xargs deploy                                         | 'xargs' runs another program",
            "python3 -c print(1)                                  | 'python3' would run a shell",
            "python3.12 deploy.py                                 | 'python3.12' would run a shell",
            "perl -e system                                       | 'perl' would run a shell",
            "kubectl exec pod -- sh                               | [4]: 'sh' would run a shell",
            "kubectl exec pod -- node -e x                        | [4]: 'node' would run a shell",
            "deploy --hook /usr/bin/python3                       | [2]: 'python3' would run a shell",
            "awk BEGIN{system(1)}                                 | 'awk' would run a shell"})
    void shellsInterpretersAndWrappersAreRefusedWhereverTheyWouldRunText(String command, String refusal) {
        List<String> problems = CommandPolicy.problems("deploy", Arrays.asList(command.trim().split(" +")));
        if (refusal == null) {
            assertEquals(List.of(), problems);
        } else {
            assertEquals(1, problems.stream().filter(p -> p.contains(refusal.trim())).count(), problems.toString());
        }
    }

    @ParameterizedTest(name = "{0} under {1}: {2}")
    @CsvSource({
            "/opt/tools/deploy, /opt/tools, true",
            "/opt/tools/sub/deploy, /opt/tools, true",
            "/opt/tools/../../bin/sh, /opt/tools, false",
            "/opt/toolsX/deploy, /opt/tools, false",
            "/usr/bin/kubectl, /opt/tools, false",
            "/opt/tools, /opt/tools, false"})
    void executablesMustLieUnderAnAllowedDirectory(String executable, String directory, boolean allowed) {
        assertEquals(allowed, CommandPolicy.allowed(Path.of(executable), List.of(Path.of(directory))));
    }
}
