package io.deploystage.planner.domain;

/** Deployment risk, lowest first. */
public enum RiskLevel {
    LOW, MEDIUM, HIGH, VERY_HIGH;

    RiskLevel raised() {
        return this == VERY_HIGH ? VERY_HIGH : values()[ordinal() + 1];
    }
}
