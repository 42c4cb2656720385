package io.deploystage.platform.tracing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.deploystage.events.EventEnvelope;
import io.deploystage.events.Topics;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * One release is one trace, from the gate's API to the notifier. Each event is staged in the outbox with the trace
 * context it was caused in (W3C {@code traceparent}), and the relay sends it on the record; a consumer continues the
 * trace of the record it handles. Each service also remembers the first trace context it saw for a release (table
 * {@code release_trace}), so what it stages outside a consumed record (a deployment's steps, the monitor's verdicts on
 * metric samples that carry no trace) joins the release's trace. A record without a trace on an entry topic (a release
 * candidate or gate result published straight to Kafka by CI) starts the release's trace.
 *
 * <p>Off unless the OpenTelemetry SDK is on ({@code QUARKUS_OTEL_SDK_DISABLED=false} and an OTLP endpoint): then none of
 * this reads or writes anything.
 */
@ApplicationScoped
public class ReleaseTraces {

    public static final String TRACEPARENT = "traceparent";

    /** Where a release enters the system: a record here without a trace starts the release's trace. */
    static final Set<String> ENTRY_TOPICS = Set.of(Topics.RELEASE_CANDIDATES, Topics.GATE_RESULTS);

    private final Tracer tracer;
    private final boolean enabled;

    ReleaseTraces(Tracer tracer, @ConfigProperty(name = "quarkus.otel.sdk.disabled", defaultValue = "false") boolean disabled) {
        this.tracer = tracer;
        this.enabled = !disabled;
    }

    /** The current span as a traceparent value, or null when there is none (tracing off, or outside any span). */
    public String current() {
        return enabled ? traceparent(Span.current().getSpanContext()) : null;
    }

    /** A span context as a traceparent value ({@code 00-<trace id>-<span id>-<flags>}), or null for an invalid one. */
    public static String traceparent(SpanContext context) {
        return context.isValid() ? "00-" + context.getTraceId() + "-" + context.getSpanId() + "-" + context.getTraceFlags().asHex() : null;
    }

    /** A traceparent value as a remote span context; an invalid one for anything that is not a version-00 traceparent. */
    public static SpanContext parse(String traceparent) {
        if (traceparent == null || traceparent.length() != 55 || !traceparent.startsWith("00-") || traceparent.charAt(35) != '-'
                || traceparent.charAt(52) != '-') {
            return SpanContext.getInvalid();
        }
        String flags = traceparent.substring(53);
        if (!flags.matches("[0-9a-f]{2}")) {
            return SpanContext.getInvalid();
        }
        // createFromRemoteParent checks the ids (32 and 16 lowercase hex digits, not all zero) and answers invalid otherwise
        return SpanContext.createFromRemoteParent(traceparent.substring(3, 35), traceparent.substring(36, 52),
                TraceFlags.fromByte((byte) Integer.parseInt(flags, 16)), TraceState.getDefault());
    }

    /** The traceparent header of a record, or null. */
    public static String of(Headers headers) {
        Header header = headers == null ? null : headers.lastHeader(TRACEPARENT);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** The trace each of these releases has in this service, if any: one read (inside the caller's session). */
    public Uni<Map<String, String>> stored(Collection<String> releases) {
        if (!enabled || releases.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return Panache.getSession().chain(session -> session.createNativeQuery(
                        "select release_id, traceparent from release_trace where release_id = any(cast(?1 as varchar[]))")
                .setParameter(1, releases.stream().distinct().toArray(String[]::new))
                .getResultList())
                .map(rows -> {
                    Map<String, String> found = new HashMap<>();
                    for (Object row : rows) {
                        Object[] columns = (Object[]) row;
                        found.put((String) columns[0], (String) columns[1]);
                    }
                    return found;
                });
    }

    /** Remembers these releases' traces where none is remembered yet (the first one seen stays). */
    public Uni<Void> remember(Map<String, String> traces) {
        if (!enabled || traces.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<String> releases = new ArrayList<>(traces.keySet());
        return Panache.getSession().chain(session -> session.createNativeQuery("insert into release_trace (release_id, traceparent) "
                        + "select * from unnest(cast(?1 as varchar[]), cast(?2 as varchar[])) on conflict (release_id) do nothing")
                .setParameter(1, releases.toArray(new String[0]))
                .setParameter(2, releases.stream().map(traces::get).toArray(String[]::new))
                .executeUpdate())
                .replaceWithVoid();
    }

    /**
     * The trace context each staged event goes out with: the one {@code given} for its release (the span handling the
     * record that caused it) if any, else the release's remembered one, else {@code fallback} (a REST request's span),
     * which is then remembered as the release's trace. Null for each event when tracing is off.
     */
    public Uni<Function<String, String>> forStaging(List<? extends SpecificRecordBase> events, Function<String, String> given, String fallback) {
        if (!enabled || events.isEmpty()) {
            return Uni.createFrom().item(release -> null);
        }
        List<String> open = events.stream().map(EventEnvelope::releaseId).distinct().filter(r -> given.apply(r) == null).toList();
        return stored(open).chain(stored -> {
            Map<String, String> started = new HashMap<>();
            if (fallback != null) {
                open.stream().filter(r -> !stored.containsKey(r)).forEach(r -> started.put(r, fallback));
            }
            Function<String, String> trace = release -> {
                String explicit = given.apply(release);
                return explicit != null ? explicit : stored.getOrDefault(release, started.get(release));
            };
            return remember(started).replaceWith(trace);
        });
    }

    /**
     * Starts a span for each event a transaction handles ("process &lt;topic&gt;", kind CONSUMER): child of the trace
     * its record carried ({@code carried}, by eventId), else of its release's remembered trace, else of
     * {@code fallback} (the span of the REST request the event came in by), else a new trace if the topic is where
     * releases enter, else none. Remembers the trace of releases that had none. End the spans with
     * {@link Handling#end} once the transaction is over.
     */
    public Uni<Handling> begin(String topic, List<? extends SpecificRecordBase> events, Map<UUID, String> carried, String fallback) {
        if (!enabled || events.isEmpty()) {
            return Uni.createFrom().item(Handling.NONE);
        }
        return stored(events.stream().map(EventEnvelope::releaseId).toList()).chain(stored -> {
            Map<String, String> byRelease = new LinkedHashMap<>();
            Map<String, String> fresh = new HashMap<>();
            List<Span> spans = new ArrayList<>();
            for (SpecificRecordBase event : events) {
                String release = EventEnvelope.releaseId(event);
                SpanContext parent = parse(carried.get(EventEnvelope.eventId(event)));
                if (!parent.isValid()) {
                    parent = parse(stored.get(release));
                }
                if (!parent.isValid()) {
                    parent = parse(fallback);
                }
                if (!parent.isValid() && !ENTRY_TOPICS.contains(topic)) {
                    continue;
                }
                Span span = tracer.spanBuilder("process " + topic)
                        .setSpanKind(SpanKind.CONSUMER)
                        .setParent(parent.isValid() ? Context.root().with(Span.wrap(parent)) : Context.root())
                        .setAttribute("messaging.system", "kafka")
                        .setAttribute("messaging.operation.type", "process")
                        .setAttribute("messaging.destination.name", topic)
                        .setAttribute("messaging.message.id", EventEnvelope.eventId(event).toString())
                        .setAttribute("deploystage.release_id", release)
                        .setAttribute("deploystage.event_type", event.getSchema().getName())
                        .startSpan();
                spans.add(span);
                String traceparent = traceparent(span.getSpanContext());
                byRelease.put(release, traceparent);
                if (!stored.containsKey(release)) {
                    fresh.putIfAbsent(release, traceparent);
                }
            }
            return remember(fresh).replaceWith(new Handling(byRelease, spans));
        });
    }

    /** A started "publish &lt;topic&gt;" span (kind PRODUCER) under the trace an outbox row was staged in, or null. */
    public Span publishing(String traceparent, String topic, UUID eventId, String releaseId) {
        SpanContext parent = enabled ? parse(traceparent) : SpanContext.getInvalid();
        if (!parent.isValid()) {
            return null;
        }
        return tracer.spanBuilder("publish " + topic)
                .setSpanKind(SpanKind.PRODUCER)
                .setParent(Context.root().with(Span.wrap(parent)))
                .setAttribute("messaging.system", "kafka")
                .setAttribute("messaging.operation.type", "send")
                .setAttribute("messaging.destination.name", topic)
                .setAttribute("messaging.message.id", eventId.toString())
                .setAttribute("deploystage.release_id", releaseId)
                .startSpan();
    }

    /** The spans of one transaction's events, and the trace context each release's staged events go out with. */
    public static final class Handling {

        public static final Handling NONE = new Handling(Map.of(), List.of());

        private final Map<String, String> byRelease;
        private final List<Span> spans;

        Handling(Map<String, String> byRelease, List<Span> spans) {
            this.byRelease = byRelease;
            this.spans = spans;
        }

        /** The traceparent for an event of this release staged by the handler, or null. */
        public String traceparent(String releaseId) {
            return byRelease.get(releaseId);
        }

        /** Ends the spans; with the failure, if the transaction failed. */
        public void end(Throwable failure) {
            for (Span span : spans) {
                if (failure != null) {
                    span.recordException(failure);
                    span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
                }
                span.end();
            }
        }
    }
}
