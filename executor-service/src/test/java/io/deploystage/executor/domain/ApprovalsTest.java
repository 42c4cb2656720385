package io.deploystage.executor.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Who may approve which step, one row per rule. */
class ApprovalsTest {

    static final Approvals.Waiting SENIOR_STEP = new Approvals.Waiting("senior-approval", "senior");
    static final Approvals.Waiting PLAIN_STEP = new Approvals.Waiting("go-live", null);

    record Case(String name, Approvals.Request request, Approvals.Waiting waiting, Approvals.Decision expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                new Case("a senior approves the senior step", new Approvals.Request("sam", Set.of("senior"), null), SENIOR_STEP,
                        new Approvals.Accepted("senior-approval")),
                new Case("naming the waiting step is the same", new Approvals.Request("sam", Set.of("senior"), "senior-approval"), SENIOR_STEP,
                        new Approvals.Accepted("senior-approval")),
                new Case("the requester may not, whatever their roles", new Approvals.Request("Rita", Set.of("senior", "approver"), null),
                        SENIOR_STEP, new Approvals.Refused(Approvals.Kind.FORBIDDEN,
                                "self-approval refused: Rita requested this release and may not approve its deployment")),
                new Case("the requester is refused even before the step", new Approvals.Request("rita", Set.of("approver"), null), null,
                        new Approvals.Refused(Approvals.Kind.FORBIDDEN,
                                "self-approval refused: rita requested this release and may not approve its deployment")),
                new Case("an approver without the senior role", new Approvals.Request("dana", Set.of("approver"), null), SENIOR_STEP,
                        new Approvals.Refused(Approvals.Kind.FORBIDDEN,
                                "step senior-approval needs an approval by the role senior, which dana does not hold")),
                new Case("an approver for a step with no role named", new Approvals.Request("dana", Set.of("approver"), null), PLAIN_STEP,
                        new Approvals.Accepted("go-live")),
                new Case("before the step started", new Approvals.Request("sam", Set.of("senior"), "senior-approval"), null,
                        new Approvals.Refused(Approvals.Kind.CONFLICT, "step senior-approval is not waiting for an approval: an approval "
                                + "counts only for the step that has started and waits for it")),
                new Case("nothing waits", new Approvals.Request("sam", Set.of("senior"), null), null,
                        new Approvals.Refused(Approvals.Kind.CONFLICT, "no approval step is waiting: an approval counts "
                                + "only for the step that has started and waits for it")),
                new Case("naming another step", new Approvals.Request("dana", Set.of("approver"), "later-approval"), PLAIN_STEP,
                        new Approvals.Refused(Approvals.Kind.CONFLICT, "step later-approval is not waiting for an approval; go-live is")),
                new Case("roles unknown (read from Kafka): a step asking for no particular role",
                        new Approvals.Request("dana", null, null), PLAIN_STEP, new Approvals.Accepted("go-live")),
                new Case("roles unknown (read from Kafka): never a senior step", new Approvals.Request("sam", null, null), SENIOR_STEP,
                        new Approvals.Refused(Approvals.Kind.FORBIDDEN, "step senior-approval needs an approval by the role senior: give it "
                                + "through the API, where the role is checked")))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void judges(Case c) {
        assertEquals(c.expected(), Approvals.judge(c.request(), "rita", c.waiting()), c.name());
    }
}
