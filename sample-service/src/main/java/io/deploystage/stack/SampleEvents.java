package io.deploystage.stack;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.deploystage.events.ChangeProfile;
import io.deploystage.events.DbMigration;
import io.deploystage.events.GateResult;
import io.deploystage.events.GateStage;
import io.deploystage.events.GateVerdict;
import io.deploystage.events.ReleaseCandidate;

/** Well-formed events of a release, as CI would publish them; for tests, the launcher and demos. */
public final class SampleEvents {

    private SampleEvents() {
    }

    public static ReleaseCandidate releaseCandidate(String releaseId, String service, String version) {
        return ReleaseCandidate.newBuilder()
                .setEventId(UUID.randomUUID())
                .setReleaseId(releaseId)
                .setOccurredAt(Instant.now())
                .setService(service)
                .setVersion(version)
                .setCommitSha("0123456789abcdef0123456789abcdef01234567")
                .setArtifact(service + ":" + version)
                .setChangeProfile(ChangeProfile.newBuilder()
                        .setDbMigration(DbMigration.NONE)
                        .setUserFacing(true)
                        .build())
                .setRequiredGates(List.of(GateStage.REVIEW, GateStage.TEST, GateStage.SECURITY))
                .setRequestedBy("ci-bot")
                .build();
    }

    /** A candidate for a backend-only change (not user-facing): the planner deploys it rolling, the sample's shortest plan. */
    public static ReleaseCandidate backendReleaseCandidate(String releaseId, String service, String version) {
        ReleaseCandidate candidate = releaseCandidate(releaseId, service, version);
        candidate.getChangeProfile().setUserFacing(false);
        return candidate;
    }

    public static GateResult gateResult(String releaseId, GateStage stage, GateVerdict verdict) {
        return GateResult.newBuilder()
                .setEventId(UUID.randomUUID())
                .setReleaseId(releaseId)
                .setOccurredAt(Instant.now())
                .setStage(stage)
                .setVerdict(verdict)
                .setFindings(List.of())
                .build();
    }

    /** The three passing gate results a release needs. */
    public static List<GateResult> passingGates(String releaseId) {
        return List.of(gateResult(releaseId, GateStage.REVIEW, GateVerdict.PASS),
                gateResult(releaseId, GateStage.TEST, GateVerdict.PASS),
                gateResult(releaseId, GateStage.SECURITY, GateVerdict.PASS));
    }
}
