package io.deploystage.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.deploystage.events.GateDecision;
import io.deploystage.events.GateOutcome;
import io.deploystage.events.Topics;
import io.deploystage.stack.Await;
import io.deploystage.stack.LocalStackResource;
import io.deploystage.stack.Postgres;
import io.deploystage.stack.RealStackTest;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Outbox rows as an upgrade leaves them: a row the previous version wrote, with the schema it had (no {@code reasons}
 * yet), is published as this version's contract with the field's default; a row that cannot be read at all is parked in
 * outbox_parked with the reason, and the relay goes on with the next row of the same release.
 */
@QuarkusTest
@WithTestResource(value = LocalStackResource.class, initArgs = @ResourceArg(name = "database", value = "gate"))
class OutboxRowsTest extends RealStackTest {

    @Test
    void aRowWrittenWithAnOlderSchemaIsPublishedAndAnUnreadableOneIsParkedWithoutStoppingTheRelay() throws Exception {
        String releaseId = "outbox-" + UUID.randomUUID();
        Schema older = withoutField(GateDecision.getClassSchema(), "reasons");
        GenericRecord old = new GenericData.Record(older);
        UUID oldId = UUID.randomUUID();
        old.put("eventId", oldId.toString());
        old.put("releaseId", releaseId);
        old.put("occurredAt", Instant.now().toEpochMilli());
        old.put("causationId", null);
        old.put("service", "checkout");
        old.put("version", "1.0.0");
        old.put("outcome", new GenericData.EnumSymbol(older.getField("outcome").schema(), "CLEARED"));
        UUID garbageId = UUID.randomUUID();
        UUID nextId = UUID.randomUUID();
        GateDecision next = GateDecision.newBuilder().setEventId(nextId).setReleaseId(releaseId).setOccurredAt(Instant.now())
                .setCausationId(null).setService("checkout").setVersion("1.0.1").setOutcome(GateOutcome.BLOCKED).setReasons(List.of())
                .build();

        try (var reader = client.reader(List.of(Topics.GATE_DECISIONS)); Connection db = database()) {
            insert(db, oldId, releaseId, encode(older, old), older.toString());
            insert(db, garbageId, releaseId, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}, GateDecision.getClassSchema().toString());
            insert(db, nextId, releaseId, io.deploystage.events.AvroBinary.encode(next), next.getSchema().toString());

            List<ConsumerRecord<String, Object>> seen = reader.awaitUntil(records -> decisions(records, releaseId).size() >= 2,
                    Duration.ofSeconds(30), "the old row and the row after the unreadable one published");
            List<GateDecision> published = decisions(seen, releaseId);
            assertEquals(List.of(oldId, nextId), published.stream().map(GateDecision::getEventId).toList(), "in commit order, the unreadable one left out");
            assertEquals(GateOutcome.CLEARED, published.get(0).getOutcome());
            assertEquals(List.of(), published.get(0).getReasons(), "a field added since takes its default");

            String reason = Await.until(Duration.ofSeconds(10), "the unreadable row parked", () -> parkedReason(db, garbageId), r -> r != null);
            assertTrue(reason.contains("cannot be read as io.deploystage.events.GateDecision"), reason);
            assertEquals(0, count(db, "select count(*) from outbox where message_key = '" + releaseId + "'"), "nothing left behind");
        }
    }

    private static Schema withoutField(Schema schema, String name) {
        List<Schema.Field> fields = schema.getFields().stream().filter(f -> !f.name().equals(name))
                .map(f -> new Schema.Field(f.name(), f.schema(), f.doc(), f.defaultVal())).toList();
        return Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
    }

    private static byte[] encode(Schema schema, GenericRecord record) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static Connection database() throws Exception {
        Postgres pg = LocalStackResource.stack().postgres();
        return DriverManager.getConnection(pg.jdbcUrl("gate"), pg.user(), pg.password());
    }

    private static void insert(Connection db, UUID id, String releaseId, byte[] payload, String schema) throws Exception {
        try (PreparedStatement insert = db.prepareStatement("insert into outbox (event_id, topic, message_key, event_type, payload, writer_schema, "
                + "created_at) values (?, ?, ?, ?, ?, ?, now())")) {
            insert.setObject(1, id);
            insert.setString(2, Topics.GATE_DECISIONS);
            insert.setString(3, releaseId);
            insert.setString(4, GateDecision.class.getName());
            insert.setBytes(5, payload);
            insert.setString(6, schema);
            insert.executeUpdate();
        }
    }

    private static String parkedReason(Connection db, UUID id) throws Exception {
        try (PreparedStatement query = db.prepareStatement("select reason from outbox_parked where event_id = ?")) {
            query.setObject(1, id);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }

    private static long count(Connection db, String sql) throws Exception {
        try (var statement = db.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static List<GateDecision> decisions(List<ConsumerRecord<String, Object>> records, String releaseId) {
        return records.stream().map(ConsumerRecord::value).filter(GateDecision.class::isInstance).map(GateDecision.class::cast)
                .filter(d -> d.getReleaseId().equals(releaseId)).toList();
    }
}
