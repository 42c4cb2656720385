# One image recipe for every Deploy Stage service; pick the service with the SERVICE build argument.
#
# Build the Quarkus applications first, from the repository root:
#     ./mvnw -B install -DskipTests
# then, for example:
#     docker build -f docker/service.Dockerfile --build-arg SERVICE=gate-service -t deploystage/gate-service .
# (docker-compose.yml at the repository root does this for all five services.)
#
# The build context is the repository root; the image takes the already-built fast-jar folder
# ${SERVICE}/target/quarkus-app/ (quarkus-run.jar, lib/, app/, quarkus/) as it is.
FROM eclipse-temurin:17-jre

ARG SERVICE
RUN test -n "${SERVICE}" || { echo "build arg SERVICE is required, e.g. --build-arg SERVICE=gate-service" >&2; exit 1; }

RUN groupadd --system --gid 10001 deploystage \
 && useradd --system --uid 10001 --gid deploystage --home-dir /deployments --no-create-home --shell /usr/sbin/nologin deploystage

WORKDIR /deployments

# Four layers, from least to most often changed, so rebuilding after a code change reuses the library layers.
COPY --chown=10001:10001 ${SERVICE}/target/quarkus-app/lib/ /deployments/lib/
COPY --chown=10001:10001 ${SERVICE}/target/quarkus-app/quarkus-run.jar /deployments/quarkus-run.jar
COPY --chown=10001:10001 ${SERVICE}/target/quarkus-app/app/ /deployments/app/
COPY --chown=10001:10001 ${SERVICE}/target/quarkus-app/quarkus/ /deployments/quarkus/

ENV QUARKUS_HTTP_PORT=8080

USER 10001
EXPOSE 8080

# Extra JVM flags go in JAVA_TOOL_OPTIONS (read by the JVM itself), e.g. -e JAVA_TOOL_OPTIONS=-Xmx256m.
ENTRYPOINT ["java", "-jar", "/deployments/quarkus-run.jar"]
