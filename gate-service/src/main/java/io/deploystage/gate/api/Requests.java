package io.deploystage.gate.api;

import java.time.Instant;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import io.deploystage.gate.domain.FindingStatus;
import io.deploystage.gate.domain.Severity;
import io.deploystage.gate.domain.Stage;
import io.deploystage.gate.domain.Verdict;
import io.deploystage.platform.domain.Texts;

/** The JSON bodies the gate's API takes, validated before anything is written. */
public final class Requests {

    /** Ids that go into keys, URLs and logs: letters, digits and . _ : - only. */
    static final String ID = Texts.ID;

    private Requests() {
    }

    /** A release candidate, as CI submits it. */
    public record Candidate(
            @NotBlank @Size(max = 200) @Pattern(regexp = ID) String releaseId,
            @NotBlank @Size(max = 100) @Pattern(regexp = ID) String service,
            @NotBlank @Size(max = 100) @Pattern(regexp = "[0-9A-Za-z][0-9A-Za-z.+_-]*") String version,
            @NotBlank @Pattern(regexp = "[0-9a-f]{7,64}") String commitSha,
            @NotBlank @Size(max = 500) String artifact,
            @Valid ChangeProfile changeProfile,
            @NotEmpty @Size(max = 3) List<@NotNull Stage> requiredGates,
            @Size(max = 200) String requestedBy,
            @Size(max = 50) List<@NotNull @Pattern(regexp = io.deploystage.events.IssueRefs.ANY,
                    message = "must be a GitHub (#12, owner/repo#12) or Jira (CHK-12) issue") String> issues) {
    }

    /** What the release changes. */
    public record ChangeProfile(
            @NotNull @Pattern(regexp = "NONE|ADDITIVE|DESTRUCTIVE") String dbMigration,
            boolean migrationReversible,
            boolean infrastructureChanges,
            boolean userFacing,
            // a flag key names plan steps (flag-<key>-internal-watch, 200 characters at most) and goes into commands
            @Size(max = 20) List<@NotBlank @Pattern(regexp = Texts.ID_START + Texts.KEY_REST + "{0,63}",
                    message = "must be a flag key of 1 to 64 letters, digits, '.', '_' or '-'") String> featureFlags,
            boolean hotfix,
            @Size(max = 200) String incidentId,
            // side effects a rollback cannot undo: the plan is held for a team lead
            boolean externalApiChange,
            boolean sendsNotifications) {
    }

    /** A gate result in JSON, for CI systems that do not write Avro. */
    public record GateResult(
            @NotNull Stage stage,
            @NotNull Verdict verdict,
            @Size(max = 10_000) List<@Valid @NotNull Finding> findings,
            @DecimalMin("0") @DecimalMax("100") Double coverage,
            @Size(max = 2000) String reportUrl) {
    }

    /** One finding of a gate result. */
    public record Finding(
            @NotBlank @Size(max = 500) String id,
            @NotNull Severity severity,
            @NotBlank @Size(max = 1000) String title,
            @NotNull FindingStatus status) {
    }

    /** An approver's acceptance of a security finding. */
    public record Waiver(
            @NotBlank @Size(max = 500) String findingId,
            @NotBlank @Size(max = 2000) String rationale,
            @NotNull Instant expiresAt) {
    }
}
