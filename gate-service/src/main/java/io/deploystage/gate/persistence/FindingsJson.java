package io.deploystage.gate.persistence;

import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import io.deploystage.gate.domain.Finding;

/** JSON for what the gate stores as text: findings, reasons and ledger inputs. */
public final class FindingsJson {

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            // derived getters of the domain records (isResolved, isComplete) are written but not read back
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private FindingsJson() {
    }

    public static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    public static List<Finding> findings(String json) {
        try {
            return JSON.readValue(json, new TypeReference<List<Finding>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored findings are not readable", e);
        }
    }
}
