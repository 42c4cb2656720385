package io.deploystage.console.api;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestStreamElementType;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.deploystage.console.application.EventFeed;
import io.deploystage.console.application.ServiceClient;
import io.deploystage.console.domain.Permissions;
import io.deploystage.console.view.Markdown;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * The console's API: who the caller is and what they may do, the events live (Server-Sent Events, read from the topics
 * here), the artifacts rendered, the flags, and the operators' commands forwarded to the executor with their token.
 * Everything takes a JWT of the services' issuer; the page keeps it in the tab's session storage and sends it as a
 * bearer token, never in a URL.
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class ConsoleResource {

    static final String ID = "[0-9a-fA-F-]{36}";
    static final String KEY = "[A-Za-z0-9._-]{1,200}";
    /** A release id as the gate takes it (so it can be logged as it is). */
    static final String RELEASE = "[A-Za-z0-9][A-Za-z0-9._:-]{0,199}";
    private static final Logger LOG = Logger.getLogger(ConsoleResource.class);

    private final EventFeed feed;
    private final ServiceClient executor;
    private final ServiceClient planner;
    private final JsonWebToken caller;
    private final ObjectMapper json;

    ConsoleResource(EventFeed feed, ServiceClient.Upstreams upstreams, JsonWebToken caller, ObjectMapper json) {
        this.executor = upstreams.executor();
        this.planner = upstreams.planner();
        this.feed = feed;
        this.caller = caller;
        this.json = json;
    }

    /** A comment sent with a command. */
    public record CommandRequest(@Size(max = 2000) String comment) {
    }

    @GET
    @Path("me")
    @Authenticated
    public Map<String, Object> me() {
        Map<String, Object> me = new LinkedHashMap<>();
        me.put("user", caller.getName());
        me.put("roles", caller.getGroups());
        me.put("may", Permissions.of(caller.getGroups()));
        return me;
    }

    /**
     * Every event (or one release's) as one JSON object per Server-Sent Event: the ones the console holds unless
     * {@code live=true}, then each new one; a heartbeat every 15 s keeps idle connections open.
     */
    @GET
    @Path("events")
    @Authenticated
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<String> events(@QueryParam("release") @Pattern(regexp = RELEASE) String release, @QueryParam("live") boolean live) {
        LOG.infof("Console: %s follows %s", caller.getName(), release == null ? "every release" : "release " + release);
        Multi<String> heartbeats = Multi.createFrom().ticks().every(Duration.ofSeconds(15)).map(t -> "{\"type\":\"Heartbeat\"}");
        return Multi.createBy().merging().streams(feed.follow(release, !live), heartbeats);
    }

    /**
     * The plan's two artifacts, as the planner keeps them (for any release it planned, however old), as HTML: their
     * text shown as text, never interpreted.
     */
    @GET
    @Path("releases/{release}/artifacts")
    @Authenticated
    public Uni<Response> artifacts(@PathParam("release") @Pattern(regexp = RELEASE) String release) {
        String token = caller.getRawToken();
        return Uni.combine().all().unis(planner.get("/plans/" + release + "/deployment-checklist", token),
                        planner.get("/plans/" + release + "/rollback-plan", token)).asTuple()
                .map(answers -> answers.getItem1().status() != 200 ? relay(answers.getItem1())
                        : answers.getItem2().status() != 200 ? relay(answers.getItem2())
                        : Response.ok(Map.of("deploymentChecklist", Markdown.html(answers.getItem1().body()),
                                "rollbackPlan", Markdown.html(answers.getItem2().body()))).build());
    }

    /** The deployment checklist as the record of what was done so far, from the executor, as HTML. */
    @GET
    @Path("deployments/{id}/checklist")
    @Authenticated
    public Uni<Response> checklist(@PathParam("id") @Pattern(regexp = ID) String id) {
        return executor.get("/deployments/" + id + "/deployment-checklist", caller.getRawToken())
                .map(a -> a.status() == 200 ? Response.ok(Map.of("html", Markdown.html(a.body()))).build() : relay(a));
    }

    /** The deployment as the executor has it now: state, phase, steps, instances. */
    @GET
    @Path("deployments/{id}")
    @Authenticated
    public Uni<Response> deployment(@PathParam("id") @Pattern(regexp = ID) String id) {
        return executor.get("/deployments/" + id, caller.getRawToken()).map(ConsoleResource::relay);
    }

    @GET
    @Path("flags")
    @Authenticated
    public Uni<Response> flags() {
        return executor.get("/flags", caller.getRawToken()).map(ConsoleResource::relay);
    }

    @POST
    @Path("deployments/{id}/{action: pause|resume|abort|rollback}")
    @RolesAllowed("operator")
    public Uni<Response> steer(@PathParam("id") @Pattern(regexp = ID) String id, @PathParam("action") String action, CommandRequest request) {
        return command("/deployments/" + id + "/" + action, request);
    }

    @POST
    @Path("deployments/{id}/approve")
    @RolesAllowed({"approver", "senior"})
    public Uni<Response> approve(@PathParam("id") @Pattern(regexp = ID) String id, CommandRequest request) {
        return command("/deployments/" + id + "/approve", request);
    }

    @POST
    @Path("flags/{key}/kill")
    @RolesAllowed("operator")
    public Uni<Response> kill(@PathParam("key") @Pattern(regexp = KEY) String key) {
        return command("/flags/" + key + "/kill", null);
    }

    private Uni<Response> command(String path, CommandRequest request) {
        String body;
        try {
            body = json.writeValueAsString(Map.of("comment", request == null || request.comment() == null ? "" : request.comment()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return Uni.createFrom().item(Response.status(400).entity(Map.of("error", "the comment cannot be sent")).build());
        }
        LOG.infof("Console: %s sends %s", caller.getName(), path);
        return executor.post(path, caller.getRawToken(), body).map(ConsoleResource::relay);
    }

    private static Response relay(ServiceClient.Answer answer) {
        return Response.status(answer.status()).type(answer.contentType()).entity(answer.body()).build();
    }
}
