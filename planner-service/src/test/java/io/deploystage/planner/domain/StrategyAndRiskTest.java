package io.deploystage.planner.domain;

import static io.deploystage.planner.domain.Fixtures.profile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every risk class and every row of the strategy guidelines (spec Steps 1.3 and 3). */
class StrategyAndRiskTest {

    static Stream<Arguments> risks() {
        return Stream.of(
                Arguments.of("destructive migration", profile(DbMigration.DESTRUCTIVE, false, false, List.of(), false), 0,
                        RiskClass.DESTRUCTIVE_MIGRATION, RiskLevel.VERY_HIGH),
                Arguments.of("additive migration", profile(DbMigration.ADDITIVE, true, true, List.of("f"), false), 0,
                        RiskClass.DB_MIGRATION, RiskLevel.HIGH),
                Arguments.of("infrastructure", profile(DbMigration.NONE, true, false, List.of(), false), 0,
                        RiskClass.INFRASTRUCTURE, RiskLevel.MEDIUM),
                Arguments.of("code only", profile(DbMigration.NONE, false, true, List.of(), false), 0, RiskClass.CODE_ONLY, RiskLevel.LOW),
                Arguments.of("flag only", profile(DbMigration.NONE, false, true, List.of("f"), false), 0, RiskClass.FLAG_ONLY, RiskLevel.LOW),
                Arguments.of("gate warnings raise code-only", profile(DbMigration.NONE, false, false, List.of(), false), 2,
                        RiskClass.CODE_ONLY, RiskLevel.MEDIUM),
                Arguments.of("gate warnings raise a migration", profile(DbMigration.ADDITIVE, false, false, List.of(), false), 1,
                        RiskClass.DB_MIGRATION, RiskLevel.VERY_HIGH),
                Arguments.of("very high stays very high", profile(DbMigration.DESTRUCTIVE, false, false, List.of(), false), 3,
                        RiskClass.DESTRUCTIVE_MIGRATION, RiskLevel.VERY_HIGH));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("risks")
    void assessesRisk(String name, ChangeProfile profile, int warnings, RiskClass riskClass, RiskLevel level) {
        RiskAssessment risk = RiskAssessment.assess(profile, warnings);
        assertEquals(riskClass, risk.riskClass());
        assertEquals(level, risk.level());
        assertTrue(risk.rationale().startsWith("The release carries "), risk.rationale());
    }

    static Stream<Arguments> strategies() {
        return Stream.of(
                Arguments.of("DB migration, backend: blue/green, never direct", profile(DbMigration.ADDITIVE, false, false, List.of(), false),
                        Strategy.BLUE_GREEN, false),
                Arguments.of("DB migration, user-facing: canary", profile(DbMigration.ADDITIVE, false, true, List.of(), false), Strategy.CANARY, false),
                Arguments.of("destructive migration: blue/green", profile(DbMigration.DESTRUCTIVE, false, false, List.of(), false),
                        Strategy.BLUE_GREEN, false),
                Arguments.of("hotfix with a migration is still never direct", profile(DbMigration.ADDITIVE, false, false, List.of(), true),
                        Strategy.BLUE_GREEN, true),
                Arguments.of("user-facing, unknown impact: canary", profile(DbMigration.NONE, false, true, List.of(), false), Strategy.CANARY, false),
                Arguments.of("user-facing behind flags: feature flag", profile(DbMigration.NONE, false, true, List.of("f"), false),
                        Strategy.FEATURE_FLAG, false),
                Arguments.of("backend-only, thoroughly tested: rolling", profile(DbMigration.NONE, false, false, List.of(), false),
                        Strategy.ROLLING, false),
                Arguments.of("backend infrastructure: rolling", profile(DbMigration.NONE, true, false, List.of(), false), Strategy.ROLLING, false),
                Arguments.of("hotfix for an active incident: direct with senior eyes", profile(DbMigration.NONE, false, true, List.of(), true),
                        Strategy.DIRECT, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("strategies")
    void choosesTheStrategyTheGuidelinesAskFor(String name, ChangeProfile profile, Strategy strategy, boolean seniorApproval) {
        StrategyChoice choice = StrategyChoice.choose(profile, RiskAssessment.assess(profile, 0));
        assertEquals(strategy, choice.strategy(), choice.rationale());
        assertEquals(seniorApproval, choice.seniorApproval());
        assertTrue(choice.rationale().length() > 40, "the rationale is written out: " + choice.rationale());
        if (profile.hasMigration()) {
            assertTrue(choice.strategy() != Strategy.DIRECT, "never direct with a migration");
        }
    }
}
