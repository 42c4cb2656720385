package io.deploystage.executor.api;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.deploystage.executor.application.FlagCache;
import io.deploystage.executor.domain.flags.Flag;
import io.deploystage.executor.domain.flags.FlagEvaluation;
import io.deploystage.executor.domain.flags.FlagEvaluator;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * OFREP single-flag evaluation ({@code POST /ofrep/v1/evaluate/flags/{key}}) as a plain Vert.x route on the event loop:
 * the flag comes from {@link FlagCache} (memory; the store only for a flag not read since its last change), the
 * context is read and the answer written without the REST layer's per-request work. Evaluation changes nothing, so it
 * takes no token. Bulk evaluation stays in {@link OfrepResource}.
 */
@ApplicationScoped
public class OfrepRoute {

    private static final Logger LOG = Logger.getLogger(OfrepRoute.class);
    static final String PATH = "/ofrep/v1/evaluate/flags/:key";
    private static final java.util.regex.Pattern KEY = java.util.regex.Pattern.compile(FlagResource.KEY);
    /** An evaluation context is a few hundred bytes; a larger body is refused (413) as it arrives. */
    static final int MAX_BODY = 64 * 1024;

    private final FlagCache cache;

    OfrepRoute(FlagCache cache) {
        this.cache = cache;
    }

    void register(@Observes Router router) {
        // ahead of the REST layer's catch-all route
        router.post(PATH).order(-10).handler(BodyHandler.create(false).setBodyLimit(MAX_BODY)).handler(this::evaluate);
    }

    void evaluate(RoutingContext ctx) {
        String key = ctx.pathParam("key");
        if (key == null || key.length() > 200 || !KEY.matcher(key).matches()) {
            send(ctx, 400, error(null, "GENERAL", "a flag key is 1 to 200 letters, digits, '.', '_' or '-', starting with a letter or digit"));
            return;
        }
        answer(ctx, key, ctx.body().buffer());
    }

    /** Answers with the evaluation of the body's context (the body handler already refused one over the limit with 413). */
    private void answer(RoutingContext ctx, String key, Buffer body) {
        Object context;
        try {
            JsonObject request = body == null || body.length() == 0 ? new JsonObject() : new JsonObject(body);
            context = request.getValue("context");
        } catch (DecodeException | ClassCastException e) {
            send(ctx, 400, error(key, "PARSE_ERROR", "the request body is not a JSON object"));
            return;
        }
        if (context != null && !(context instanceof JsonObject)) {
            send(ctx, 400, error(key, "INVALID_CONTEXT", "context must be an object"));
            return;
        }
        JsonObject evaluationContext = (JsonObject) context;
        cache.get(key).subscribe().with(flag -> {
            if (flag == null) {
                send(ctx, 404, error(key, "FLAG_NOT_FOUND", "flag " + key + " is not defined"));
                return;
            }
            try {
                send(ctx, 200, body(evaluate(flag, evaluationContext)));
            } catch (IllegalArgumentException e) {
                send(ctx, 400, error(key, "TARGETING_KEY_MISSING", e.getMessage()));
            }
        }, failure -> {
            LOG.warnf("OFREP evaluation of %s failed: %s", key, failure.toString());
            send(ctx, 500, error(key, "GENERAL", "the flag store could not be read"));
        });
    }

    /** The evaluation of a flag for a context (null: none): its targetingKey and whether it is an internal user. */
    static FlagEvaluation evaluate(Flag flag, JsonObject context) {
        Object targetingKey = context == null ? null : context.getValue("targetingKey");
        Object internal = context == null ? null : context.getValue("internal");
        return FlagEvaluator.evaluate(flag, targetingKey instanceof String s ? s : null, Boolean.TRUE.equals(internal));
    }

    /** An evaluation as OFREP answers it. */
    static Map<String, Object> body(FlagEvaluation evaluation) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("key", evaluation.key());
        body.put("value", evaluation.value());
        body.put("reason", evaluation.reason());
        body.put("variant", evaluation.variant());
        body.put("metadata", Map.of());
        return body;
    }

    /** An OFREP error answer; {@code key} null when there is none to name. */
    static Map<String, Object> error(String key, String code, String details) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (key != null) {
            body.put("key", key);
        }
        body.put("errorCode", code);
        body.put("errorDetails", details);
        return body;
    }

    private static void send(RoutingContext ctx, int status, Map<String, Object> body) {
        if (!ctx.response().ended()) {
            ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(Json.encode(body));
        }
    }
}
