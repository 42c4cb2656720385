package io.deploystage.planner.domain;

/** The kind of database migration a release carries. */
public enum DbMigration {
    NONE, ADDITIVE, DESTRUCTIVE
}
