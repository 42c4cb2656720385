package io.deploystage.executor.api;

import java.util.Map;
import java.util.List;
import java.util.Set;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.deploystage.executor.application.FlagCache;
import io.deploystage.executor.application.FlagStore;
import io.deploystage.executor.domain.flags.Flag;
import io.deploystage.platform.domain.Texts;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/** Flag administration (role {@code operator}): set a flag's rollout, and the kill switch. */
@Path("/flags")
@Produces(MediaType.APPLICATION_JSON)
public class FlagResource {

    static final String KEY = Texts.KEY;

    private final FlagStore store;
    private final FlagCache cache;
    private final SecurityIdentity identity;

    FlagResource(FlagStore store, FlagCache cache, SecurityIdentity identity) {
        this.store = store;
        this.cache = cache;
        this.identity = identity;
    }

    /** A flag's settings. */
    public record FlagRequest(boolean enabled, boolean internalEnabled,
            @Size(max = 1000) Set<@NotBlank @Size(max = 200) String> internalUsers,
            @Min(0) @Max(100) int rolloutPercent) {
    }

    @PUT
    @Path("{key}")
    @RolesAllowed("operator")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> set(@PathParam("key") @Pattern(regexp = KEY) @Size(max = 200) String key, @NotNull @Valid FlagRequest request) {
        Flag flag = new Flag(key, request.enabled(), request.internalEnabled(),
                request.internalUsers() == null ? Set.of() : request.internalUsers(), request.rolloutPercent(), false);
        return Panache.withTransaction(() -> store.save(flag, caller())).invoke(() -> cache.invalidate(key))
                .map(saved -> Response.ok(saved).build());
    }

    @POST
    @Path("{key}/kill")
    @RolesAllowed("operator")
    public Uni<Response> kill(@PathParam("key") @Pattern(regexp = KEY) @Size(max = 200) String key) {
        long started = System.nanoTime();
        return Panache.withTransaction(() -> store.kill(key, caller())).invoke(() -> cache.invalidate(key))
                .map(flag -> Response.ok(Map.of("key", key, "killed", true, "tookMillis", (System.nanoTime() - started) / 1_000_000)).build());
    }

    /** Every flag, by key. */
    @GET
    @Authenticated
    public Uni<List<Flag>> list() {
        return Panache.withSession(store::all).map(all -> all.stream().sorted(java.util.Comparator.comparing(Flag::key)).toList());
    }

    @GET
    @Path("{key}")
    @Authenticated
    public Uni<Response> get(@PathParam("key") @Pattern(regexp = KEY) @Size(max = 200) String key) {
        return Panache.withSession(() -> store.find(key)).map(flag -> flag == null
                ? Response.status(404).entity(Map.of("error", "flag " + key + " is not defined")).build()
                : Response.ok(flag).build());
    }

    private String caller() {
        return identity.getPrincipal().getName();
    }
}
