package io.deploystage.executor.runner;

import java.nio.file.Path;
import java.time.Duration;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * Tags the release commit {@code v<version>} in the configured repository, with JGit (annotated tag). Running it
 * again for the same commit succeeds without change; the same tag on another commit fails, never moves the tag.
 * Blocking: call it off the event loop.
 */
public final class GitTagRunner {

    private GitTagRunner() {
    }

    public static StepResult tag(Path repository, String version, String commit) {
        long started = System.nanoTime();
        String name = "v" + version;
        try (Git git = Git.open(repository.toFile()); RevWalk walk = new RevWalk(git.getRepository())) {
            ObjectId id = git.getRepository().resolve(commit);
            if (id == null) {
                return new StepResult(false, "commit " + commit + " is not in " + repository, elapsed(started));
            }
            Ref existing = git.getRepository().exactRef("refs/tags/" + name);
            if (existing != null) {
                ObjectId tagged = git.getRepository().getRefDatabase().peel(existing).getPeeledObjectId();
                ObjectId target = tagged != null ? tagged : existing.getObjectId();
                return target.equals(id) ? new StepResult(true, name + " already tags " + id.abbreviate(12).name(), elapsed(started))
                        : new StepResult(false, name + " already tags another commit (" + target.abbreviate(12).name() + ")", elapsed(started));
            }
            git.tag().setName(name).setObjectId(walk.parseAny(id)).setAnnotated(true).setMessage("Release " + version)
                    .setTagger(new org.eclipse.jgit.lib.PersonIdent("Deploy Stage", "deploy-stage@localhost")).call();
            return new StepResult(true, "tagged " + id.abbreviate(12).name() + " as " + name, elapsed(started));
        } catch (Exception e) {
            return new StepResult(false, "git tag failed: " + e.getMessage(), elapsed(started));
        }
    }

    private static Duration elapsed(long started) {
        return Duration.ofNanos(System.nanoTime() - started);
    }
}
