package io.deploystage.executor.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tagging the release commit in a real git repository. */
class GitTagRunnerTest {

    @Test
    void tagsTheReleaseCommitOnceAndNeverMovesATag(@TempDir Path dir) throws Exception {
        RevCommit first;
        RevCommit second;
        try (Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
            Files.writeString(dir.resolve("app.txt"), "one");
            git.add().addFilepattern("app.txt").call();
            first = git.commit().setMessage("one").setAuthor("dev", "dev@example.com").setCommitter("dev", "dev@example.com").call();
            Files.writeString(dir.resolve("app.txt"), "two");
            git.add().addFilepattern("app.txt").call();
            second = git.commit().setMessage("two").setAuthor("dev", "dev@example.com").setCommitter("dev", "dev@example.com").call();
        }
        StepResult tagged = GitTagRunner.tag(dir, "1.4.0", first.getName());
        assertTrue(tagged.succeeded(), tagged.detail());
        StepResult again = GitTagRunner.tag(dir, "1.4.0", first.getName().substring(0, 12));
        assertTrue(again.succeeded(), "the same tag on the same commit is fine: " + again.detail());
        StepResult moved = GitTagRunner.tag(dir, "1.4.0", second.getName());
        assertFalse(moved.succeeded(), "never moves a tag");
        assertTrue(moved.detail().contains("already tags another commit"), moved.detail());
        StepResult unknown = GitTagRunner.tag(dir, "1.5.0", "deadbeefdeadbeef");
        assertFalse(unknown.succeeded());
        try (Git git = Git.open(dir.toFile())) {
            var ref = git.getRepository().exactRef("refs/tags/v1.4.0");
            assertEquals(first.getId(), git.getRepository().getRefDatabase().peel(ref).getPeeledObjectId());
        }
    }
}
