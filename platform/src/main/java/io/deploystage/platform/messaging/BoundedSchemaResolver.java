package io.deploystage.platform.messaging;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import io.apicurio.registry.resolver.DefaultSchemaResolver;
import io.apicurio.registry.resolver.SchemaParser;
import io.apicurio.registry.resolver.client.RegistryArtifactReference;
import io.apicurio.registry.resolver.client.RegistryClientFacade;
import io.apicurio.registry.resolver.client.RegistryVersionCoordinates;
import io.apicurio.registry.resolver.strategy.ArtifactReference;

/**
 * Apicurio's schema resolver with a time limit on each call to the registry. The registry client waits for an answer
 * without one, and Apicurio Registry 3.3.3 was seen to never write the response to a request (its log: Netty's
 * IllegalReferenceCountException under its HTTP compressor): the outbox's serializer waiting on such a call would hold
 * the service's publishing for ever, and the consumers' decoder would hold its partition. Here a call that has not
 * answered within {@value #CALL_TIMEOUT} (20 s by default) fails, and the resolver's own retries
 * ({@code apicurio.registry.retry-count}) make it again; once those are spent the send or the decode fails with the
 * reason, and the outbox tries the event again at its next pass. Answers already cached never reach the registry.
 * <p>
 * The abandoned call keeps its helper thread until its answer comes, which for a lost response is never: one parked
 * daemon thread per lost response.
 */
public class BoundedSchemaResolver<S, T> extends DefaultSchemaResolver<S, T> {

    /** Milliseconds a registry call may take. */
    public static final String CALL_TIMEOUT = "apicurio.registry.deploystage.call-timeout-ms";

    private static final ExecutorService CALLS = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "schema-registry-call");
        thread.setDaemon(true);
        return thread;
    });

    @Override
    public void configure(Map<String, ?> configs, SchemaParser<S, T> parser) {
        super.configure(configs, parser);
        Object limit = configs.get(CALL_TIMEOUT);
        long millis = limit == null ? 20_000 : Long.parseLong(limit.toString().trim());
        if (!(clientFacade instanceof Bounded)) {
            clientFacade = new Bounded(clientFacade, millis);
        }
    }

    /** A registry call given up after its limit: the registry is not reliable now, the record or event is not at fault. */
    public static final class NoAnswer extends RuntimeException {

        NoAnswer(String message) {
            super(message);
        }

        /** Whether {@code failure} or one of its causes is a call given up. */
        public static boolean in(Throwable failure) {
            for (Throwable t = failure; t != null; t = t.getCause()) {
                if (t instanceof NoAnswer) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The registry client with each call given up after its limit. */
    record Bounded(RegistryClientFacade client, long millis) implements RegistryClientFacade {

        private <R> R call(String what, Supplier<R> call) {
            Future<R> answer = CALLS.submit(call::get);
            try {
                return answer.get(millis, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                answer.cancel(true);
                throw new NoAnswer("the schema registry did not answer " + what + " within " + millis + " ms");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                answer.cancel(true);
                throw new IllegalStateException("interrupted while waiting for the schema registry " + what, e);
            }
        }

        @Override
        public String getSchemaByContentId(Long contentId) {
            return call("for the schema of content " + contentId, () -> client.getSchemaByContentId(contentId));
        }

        @Override
        public String getSchemaByGlobalId(long globalId, boolean dereferenced) {
            return call("for the schema of id " + globalId, () -> client.getSchemaByGlobalId(globalId, dereferenced));
        }

        @Override
        public String getSchemaByGAV(String groupId, String artifactId, String version) {
            return call("for the schema " + artifactId + " " + version, () -> client.getSchemaByGAV(groupId, artifactId, version));
        }

        @Override
        public String getSchemaByContentHash(String contentHash) {
            return call("for the schema of a content hash", () -> client.getSchemaByContentHash(contentHash));
        }

        @Override
        public List<RegistryArtifactReference> getReferencesByContentId(long contentId) {
            return call("for references", () -> client.getReferencesByContentId(contentId));
        }

        @Override
        public List<RegistryArtifactReference> getReferencesByGlobalId(long globalId) {
            return call("for references", () -> client.getReferencesByGlobalId(globalId));
        }

        @Override
        public List<RegistryArtifactReference> getReferencesByGAV(String groupId, String artifactId, String version) {
            return call("for references", () -> client.getReferencesByGAV(groupId, artifactId, version));
        }

        @Override
        public List<RegistryArtifactReference> getReferencesByContentHash(String contentHash) {
            return call("for references", () -> client.getReferencesByContentHash(contentHash));
        }

        @Override
        public List<RegistryVersionCoordinates> searchVersionsByContent(String schema, String artifactType, ArtifactReference reference,
                boolean canonical) {
            return call("to a search for " + reference.getArtifactId(), () -> client.searchVersionsByContent(schema, artifactType, reference, canonical));
        }

        @Override
        public RegistryVersionCoordinates createSchema(String artifactType, String groupId, String artifactId, String version, String autoCreate,
                boolean canonical, String schema, Set<RegistryArtifactReference> references) {
            return call("to the registration of " + artifactId, () -> client.createSchema(artifactType, groupId, artifactId, version, autoCreate,
                    canonical, schema, references));
        }

        @Override
        public RegistryVersionCoordinates getVersionCoordinatesByGAV(String groupId, String artifactId, String version) {
            return call("for " + artifactId + " " + version, () -> client.getVersionCoordinatesByGAV(groupId, artifactId, version));
        }

        @Override
        public Object getClient() {
            return client.getClient();
        }
    }
}
