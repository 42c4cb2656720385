package io.deploystage.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.deploystage.platform.inbox.InboxRetention;
import io.deploystage.stack.LocalStackResource;
import io.deploystage.stack.Postgres;
import io.deploystage.stack.RealStackTest;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;

/**
 * The record of processed events does not grow for ever: ids (and releases' trace contexts) older than the retention
 * are deleted, in more than one batch when there are many; younger ones stay, so a redelivery within the retention is
 * still recognised.
 */
@QuarkusTest
@WithTestResource(value = LocalStackResource.class, initArgs = @ResourceArg(name = "database", value = "gate"))
class InboxRetentionTest extends RealStackTest {

    @Inject
    InboxRetention retention;

    @Test
    void idsOlderThanTheRetentionAreForgottenInBatchesAndYoungerOnesKept() throws Throwable {
        String topic = "retention-" + UUID.randomUUID();
        Instant now = Instant.now();
        Duration kept = Duration.ofDays(14);
        int old = 10_000 + 7; // more than one batch
        try (Connection db = database()) {
            try (PreparedStatement insert = db.prepareStatement("insert into processed_event (event_id, topic, processed_at) "
                    + "select gen_random_uuid(), ?, now() - make_interval(days => ?) from generate_series(1, ?)")) {
                insert.setString(1, topic);
                insert.setInt(2, 15);
                insert.setInt(3, old);
                insert.executeUpdate();
                insert.setInt(2, 13);
                insert.setInt(3, 3);
                insert.executeUpdate();
            }
            String oldRelease = "retention-old-" + UUID.randomUUID();
            String youngRelease = "retention-young-" + UUID.randomUUID();
            try (PreparedStatement insert = db.prepareStatement("insert into release_trace (release_id, traceparent, created_at) "
                    + "values (?, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', now() - make_interval(days => ?))")) {
                insert.setString(1, oldRelease);
                insert.setInt(2, 20);
                insert.executeUpdate();
                insert.setString(1, youngRelease);
                insert.setInt(2, 1);
                insert.executeUpdate();
            }

            InboxRetention.Forgotten forgotten = VertxContextSupport.subscribeAndAwait(() -> retention.forgetBefore(now.minus(kept)));

            assertTrue(forgotten.events() >= old, "forgot " + forgotten.events() + " ids, " + old + " were older than the retention");
            assertEquals(0, count(db, "select count(*) from processed_event where topic = '" + topic + "' and processed_at < now() - interval '14 days'"));
            assertEquals(3, count(db, "select count(*) from processed_event where topic = '" + topic + "'"), "the younger ids are kept");
            assertTrue(forgotten.traces() >= 1, "forgot " + forgotten.traces() + " trace contexts");
            assertEquals(0, count(db, "select count(*) from release_trace where release_id = '" + oldRelease + "'"));
            assertEquals(1, count(db, "select count(*) from release_trace where release_id = '" + youngRelease + "'"));
        }
    }

    private static Connection database() throws Exception {
        Postgres pg = LocalStackResource.stack().postgres();
        return DriverManager.getConnection(pg.jdbcUrl("gate"), pg.user(), pg.password());
    }

    private static long count(Connection db, String sql) throws Exception {
        try (var statement = db.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
