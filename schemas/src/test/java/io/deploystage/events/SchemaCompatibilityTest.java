package io.deploystage.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;

/** Every current contract must read data written with each released version of it (backward compatibility). */
class SchemaCompatibilityTest {

    private static final Path CURRENT = Path.of("src/main/avro");
    private static final Path RELEASED = Path.of("released");

    @Test
    void everyEventHasItsContractAndTheCommonFields() throws IOException {
        Map<String, Schema> current = Contracts.parse(CURRENT);
        for (String event : List.of("ReleaseCandidate", "GateResult", "GateDecision", "DeploymentPlan", "StepEvent",
                "MetricSample", "HealthVerdict", "RollbackCommand", "OperatorCommand", "DeploymentOutcome",
                "NotificationRecord")) {
            Schema schema = current.get("io.deploystage.events." + event);
            assertTrue(schema != null, event + " has no contract");
            for (String field : List.of("eventId", "releaseId", "occurredAt", "causationId")) {
                assertTrue(schema.getField(field) != null, event + " lacks " + field);
            }
        }
    }

    @Test
    void everyEnumDeclaresADefaultSoItCanGrow() throws IOException {
        for (Schema schema : Contracts.parse(CURRENT).values()) {
            if (schema.getType() == Schema.Type.ENUM) {
                assertTrue(schema.getEnumDefault() != null, schema.getFullName() + " has no enum default");
            }
        }
    }

    @Test
    void currentContractsReadEveryReleasedVersion() throws IOException {
        List<String> failures = new ArrayList<>();
        try (Stream<Path> versions = Files.list(RELEASED)) {
            for (Path version : versions.sorted().toList()) {
                Map<String, Schema> released = Contracts.parse(version);
                Map<String, Schema> current = Contracts.parse(CURRENT);
                released.forEach((name, writer) -> {
                    Schema reader = current.get(name);
                    if (reader == null) {
                        failures.add(name + " was released in " + version.getFileName() + " and is gone");
                        return;
                    }
                    var result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
                    if (result.getType() != SchemaCompatibilityType.COMPATIBLE) {
                        failures.add(name + " cannot read " + version.getFileName() + ": " + result.getResult().getIncompatibilities());
                    }
                });
            }
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void theCheckRejectsAnIncompatibleChange() throws IOException {
        Schema released = Contracts.parse(RELEASED.resolve("0.1.0")).get("io.deploystage.events.RollbackCommand");
        String json = released.toString().replace("\"name\":\"reason\",\"type\":\"string\"", "\"name\":\"reason\",\"type\":\"int\"");
        assertNotEquals(released.toString(), json, "the mutation must apply");
        Schema broken = new Schema.Parser().parse(json);
        var result = SchemaCompatibility.checkReaderWriterCompatibility(broken, released);
        assertFalse(result.getType() == SchemaCompatibilityType.COMPATIBLE);
    }
}
