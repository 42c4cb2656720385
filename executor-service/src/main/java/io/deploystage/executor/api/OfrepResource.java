package io.deploystage.executor.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.JsonNode;

import io.deploystage.executor.application.FlagCache;
import io.deploystage.executor.application.FlagStore;
import io.deploystage.executor.domain.flags.Flag;
import io.deploystage.executor.domain.flags.FlagEvaluation;
import io.deploystage.executor.domain.flags.FlagEvaluator;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * The OpenFeature Remote Evaluation Protocol (OFREP) for the built-in flag store, so applications use the standard
 * OpenFeature OFREP provider. The context's {@code targetingKey} drives fractional rollouts; {@code internal: true}
 * marks an internal user. Evaluation changes nothing, so it takes no token.
 */
@Path("/ofrep/v1/evaluate/flags")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class OfrepResource {

    private final FlagStore store;
    private final FlagCache cache;

    OfrepResource(FlagStore store, FlagCache cache) {
        this.store = store;
        this.cache = cache;
    }

    @POST
    @Path("{key}")
    public Uni<Response> evaluate(@PathParam("key") @Pattern(regexp = FlagResource.KEY) @Size(max = 200) String key, JsonNode body) {
        JsonNode context = body == null ? null : body.get("context");
        if (context != null && !context.isObject()) {
            return Uni.createFrom().item(error(400, key, "INVALID_CONTEXT", "context must be an object"));
        }
        return cache.get(key).map(flag -> {
            if (flag == null) {
                return error(404, key, "FLAG_NOT_FOUND", "flag " + key + " is not defined");
            }
            try {
                return Response.ok(body(FlagEvaluator.evaluate(flag, targetingKey(context), internal(context)))).build();
            } catch (IllegalArgumentException e) {
                return error(400, key, "TARGETING_KEY_MISSING", e.getMessage());
            }
        });
    }

    /** Bulk evaluation of every flag for one context. */
    @POST
    public Uni<Response> evaluateAll(JsonNode body) {
        JsonNode context = body == null ? null : body.get("context");
        if (context != null && !context.isObject()) {
            return Uni.createFrom().item(error(400, null, "INVALID_CONTEXT", "context must be an object"));
        }
        return Panache.withSession(store::all).map(flags -> {
            List<Map<String, Object>> results = flags.stream().map(flag -> evaluateOne(flag, context)).toList();
            return Response.ok(Map.of("flags", results)).build();
        });
    }

    private static Map<String, Object> evaluateOne(Flag flag, JsonNode context) {
        try {
            return body(FlagEvaluator.evaluate(flag, targetingKey(context), internal(context)));
        } catch (IllegalArgumentException e) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("key", flag.key());
            error.put("errorCode", "TARGETING_KEY_MISSING");
            error.put("errorDetails", e.getMessage());
            return error;
        }
    }

    private static String targetingKey(JsonNode context) {
        return context == null || !context.path("targetingKey").isTextual() ? null : context.get("targetingKey").asText();
    }

    private static boolean internal(JsonNode context) {
        return context != null && context.path("internal").asBoolean(false);
    }

    private static Map<String, Object> body(FlagEvaluation evaluation) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("key", evaluation.key());
        body.put("value", evaluation.value());
        body.put("reason", evaluation.reason());
        body.put("variant", evaluation.variant());
        body.put("metadata", Map.of());
        return body;
    }

    private static Response error(int status, String key, String code, String details) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (key != null) {
            body.put("key", key);
        }
        body.put("errorCode", code);
        body.put("errorDetails", details);
        return Response.status(status).entity(body).build();
    }
}
