package io.deploystage.notifier.application;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.PushCommand;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.jboss.logging.Logger;

import io.deploystage.notifier.domain.Changelog;

/**
 * Commits a DEPLOYED release's entry to CHANGELOG.md with JGit, in a local git repository or in a remote one (an
 * https://, ssh:// or file:// URL: cloned into a work folder, updated from the remote before each entry, and pushed).
 * The entry is added once: a version already in the file commits nothing, so a repeated delivery changes nothing.
 */
@ApplicationScoped
public class ChangelogWriter {

    private static final Logger LOG = Logger.getLogger(ChangelogWriter.class);
    static final String FILE = "CHANGELOG.md";
    /** A clone, fetch or push that stalls longer gives up: deliveries go out one at a time, so one must not hang the rest. */
    static final int GIT_TIMEOUT_SECONDS = 30;

    /**
     * Null when the entry is in the repository (added now or before, and pushed for a remote), else what went wrong.
     * {@code token} authenticates to a remote over https (never logged). Blocking: call off the event loop.
     */
    public synchronized String write(String repository, String token, Map<String, Object> release) {
        String version = String.valueOf(release.get("version"));
        String line = Changelog.line(String.valueOf(release.get("service")), version, String.valueOf(release.get("strategy")),
                String.valueOf(release.get("releaseId")));
        boolean remote = repository.matches("(https?|ssh|git|file)://.+|[\\w.-]+@[\\w.-]+:.+");
        CredentialsProvider credentials = token == null ? null : new UsernamePasswordCredentialsProvider("x-access-token", token);
        try (Git git = remote ? checkout(repository, credentials) : Git.open(Path.of(repository).toFile())) {
            Path file = git.getRepository().getWorkTree().toPath().resolve(FILE);
            String existing = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
            String updated = Changelog.add(existing, version, Changelog.entry(version, LocalDate.now(ZoneOffset.UTC), line));
            if (!updated.equals(existing)) {
                Files.writeString(file, updated, StandardCharsets.UTF_8);
                git.add().addFilepattern(FILE).call();
                git.commit().setMessage("Changelog: " + release.get("service") + " " + version)
                        .setAuthor("Deploy Stage", "deploy-stage@localhost").setCommitter("Deploy Stage", "deploy-stage@localhost").call();
                LOG.infof("Changelog entry for %s %s committed to %s", release.get("service"), version, remote ? "the clone of a remote" : repository);
            }
            return remote ? push(git, credentials) : null;
        } catch (Exception e) {
            return "changelog commit failed: " + e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    /** The work folder's clone of the remote, brought up to date (a rejected push is retried on top of the remote's state). */
    private static Git checkout(String url, CredentialsProvider credentials) throws Exception {
        Path work = Path.of(System.getProperty("java.io.tmpdir"), "deploy-stage-changelog", Integer.toHexString(url.hashCode()));
        if (!Files.isDirectory(work.resolve(".git"))) {
            Files.createDirectories(work.getParent());
            return Git.cloneRepository().setURI(url).setDirectory(work.toFile()).setCredentialsProvider(credentials)
                    .setTimeout(GIT_TIMEOUT_SECONDS).call();
        }
        Git git = Git.open(work.toFile());
        git.fetch().setCredentialsProvider(credentials).setTimeout(GIT_TIMEOUT_SECONDS).call();
        String branch = git.getRepository().getBranch();
        if (git.getRepository().resolve("refs/remotes/origin/" + branch) != null) {
            git.reset().setMode(org.eclipse.jgit.api.ResetCommand.ResetType.HARD).setRef("refs/remotes/origin/" + branch).call();
        }
        return git;
    }

    private static String push(Git git, CredentialsProvider credentials) throws Exception {
        PushCommand push = git.push().setCredentialsProvider(credentials).setTimeout(GIT_TIMEOUT_SECONDS);
        for (PushResult result : push.call()) {
            for (RemoteRefUpdate update : result.getRemoteUpdates()) {
                if (update.getStatus() != RemoteRefUpdate.Status.OK && update.getStatus() != RemoteRefUpdate.Status.UP_TO_DATE) {
                    return "changelog push refused: " + update.getStatus() + (update.getMessage() == null ? "" : " " + update.getMessage());
                }
            }
        }
        return null;
    }
}
