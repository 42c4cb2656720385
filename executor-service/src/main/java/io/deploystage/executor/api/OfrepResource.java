package io.deploystage.executor.api;

import java.util.List;
import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;


import io.deploystage.executor.application.FlagStore;
import io.deploystage.executor.domain.flags.Flag;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/**
 * The OpenFeature Remote Evaluation Protocol (OFREP) for the built-in flag store, so applications use the standard
 * OpenFeature OFREP provider: bulk evaluation here, single-flag evaluation in {@link OfrepRoute}. The context's
 * {@code targetingKey} drives fractional rollouts; {@code internal: true} marks an internal user. Evaluation changes nothing, so it takes no token.
 */
@Path("/ofrep/v1/evaluate/flags")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class OfrepResource {

    private final FlagStore store;

    OfrepResource(FlagStore store) {
        this.store = store;
    }

    /** Bulk evaluation of every flag for one context. */
    @POST
    public Uni<Response> evaluateAll(JsonObject body) {
        Object context = body == null ? null : body.getValue("context");
        if (context != null && !(context instanceof JsonObject)) {
            return Uni.createFrom().item(error(400, null, "INVALID_CONTEXT", "context must be an object"));
        }
        return Panache.withSession(store::all).map(flags -> {
            List<Map<String, Object>> results = flags.stream().map(flag -> evaluateOne(flag, (JsonObject) context)).toList();
            return Response.ok(Map.of("flags", results)).build();
        });
    }

    private static Map<String, Object> evaluateOne(Flag flag, JsonObject context) {
        try {
            return OfrepRoute.body(OfrepRoute.evaluate(flag, context));
        } catch (IllegalArgumentException e) {
            return OfrepRoute.error(flag.key(), "TARGETING_KEY_MISSING", e.getMessage());
        }
    }

    private static Response error(int status, String key, String code, String details) {
        return Response.status(status).entity(OfrepRoute.error(key, code, details)).build();
    }
}
