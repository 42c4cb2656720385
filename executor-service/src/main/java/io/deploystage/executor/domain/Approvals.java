package io.deploystage.executor.domain;

import java.util.Set;

/**
 * Who may approve a deployment's step, and which step an approval counts for, as a pure function.
 * <p>
 * An approval counts only for the APPROVAL step of the deployment that has started and is waiting for it: an early
 * approval (before the step began) or one naming another step is refused, so it can never satisfy a later step. The
 * release's requester never approves their own deployment, and the approver must hold the role the step asks for
 * ({@code senior} for a hotfix's senior approval, else {@code approver}).
 * <p>
 * Example: release by "rita", step {@code senior-approval} waiting with role senior: "sam" (senior) is accepted for
 * that step; "rita" (senior too) is FORBIDDEN; "dana" (approver only) is FORBIDDEN; anyone before the step started
 * gets a CONFLICT.
 */
public final class Approvals {

    /** The role an APPROVAL step asks for when the plan names none. */
    public static final String DEFAULT_ROLE = "approver";

    private Approvals() {
    }

    /**
     * Who approves: their name, their roles (null when unknown: a command read from Kafka carries none, and counts only for
     * a step that asks for no particular role), the step they name or null.
     */
    public record Request(String approver, Set<String> roles, String stepId) {
    }

    /** The APPROVAL step that has started and waits, with the role it asks for. */
    public record Waiting(String stepId, String role) {
        public Waiting {
            role = role == null || role.isBlank() ? DEFAULT_ROLE : role;
        }
    }

    public sealed interface Decision {
    }

    /** The approval counts for this step. */
    public record Accepted(String stepId) implements Decision {
    }

    /** Refused: FORBIDDEN for who is asking, CONFLICT for when (no such step is waiting). */
    public record Refused(Kind kind, String reason) implements Decision {
    }

    public enum Kind { FORBIDDEN, CONFLICT }

    public static Decision judge(Request request, String requester, Waiting waiting) {
        if (requester != null && request.approver().equalsIgnoreCase(requester)) {
            return new Refused(Kind.FORBIDDEN, "self-approval refused: " + request.approver() + " requested this release and may not approve its "
                    + "deployment");
        }
        if (waiting == null) {
            return new Refused(Kind.CONFLICT, (request.stepId() == null ? "no approval step is waiting"
                    : "step " + request.stepId() + " is not waiting for an approval") + ": an approval counts only for the step that has "
                    + "started and waits for it");
        }
        if (request.stepId() != null && !request.stepId().equals(waiting.stepId())) {
            return new Refused(Kind.CONFLICT, "step " + request.stepId() + " is not waiting for an approval; " + waiting.stepId() + " is");
        }
        if (request.roles() == null && !waiting.role().equals(DEFAULT_ROLE)) {
            return new Refused(Kind.FORBIDDEN, "step " + waiting.stepId() + " needs an approval by the role " + waiting.role()
                    + ": give it through the API, where the role is checked");
        }
        if (request.roles() != null && !request.roles().contains(waiting.role())) {
            return new Refused(Kind.FORBIDDEN, "step " + waiting.stepId() + " needs an approval by the role " + waiting.role() + ", which "
                    + request.approver() + " does not hold");
        }
        return new Accepted(waiting.stepId());
    }
}
