package io.deploystage.notifier.application;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.jgit.api.Git;
import org.jboss.logging.Logger;

import io.deploystage.notifier.domain.Changelog;

/**
 * Commits a DEPLOYED release's entry to CHANGELOG.md in a local git repository, with JGit. The entry is added once:
 * a version already in the file commits nothing, so a repeated delivery changes nothing.
 */
@ApplicationScoped
public class ChangelogWriter {

    private static final Logger LOG = Logger.getLogger(ChangelogWriter.class);
    static final String FILE = "CHANGELOG.md";

    /** Null when the entry is in the repository (added now or before), else what went wrong. Blocking: call off the event loop. */
    public synchronized String write(String repository, Map<String, Object> release) {
        String version = String.valueOf(release.get("version"));
        String line = Changelog.line(String.valueOf(release.get("service")), version, String.valueOf(release.get("strategy")),
                String.valueOf(release.get("releaseId")));
        try (Git git = Git.open(Path.of(repository).toFile())) {
            Path file = git.getRepository().getWorkTree().toPath().resolve(FILE);
            String existing = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
            String updated = Changelog.add(existing, version, Changelog.entry(version, LocalDate.now(ZoneOffset.UTC), line));
            if (updated.equals(existing)) {
                return null;
            }
            Files.writeString(file, updated, StandardCharsets.UTF_8);
            git.add().addFilepattern(FILE).call();
            git.commit().setMessage("Changelog: " + release.get("service") + " " + version)
                    .setAuthor("Deploy Stage", "deploy-stage@localhost").setCommitter("Deploy Stage", "deploy-stage@localhost").call();
            LOG.infof("Changelog entry for %s %s committed to %s", release.get("service"), version, repository);
            return null;
        } catch (Exception e) {
            return "changelog commit failed: " + e;
        }
    }
}
