# The bundled sample service ("checkout"; the JDK only) for docker-compose: real HTTP work, Prometheus metrics.
# Build the repository first (./mvnw -B install -DskipTests); the build context is the repository root.
FROM eclipse-temurin:17-jre

RUN groupadd --system --gid 10001 sample \
 && useradd --system --uid 10001 --gid sample --home-dir /app --no-create-home --shell /usr/sbin/nologin sample

COPY --chown=10001:10001 sample-service/target/classes/io/deploystage/stack/sample/SampleApp*.class /app/io/deploystage/stack/sample/

USER 10001
EXPOSE 8080
# more options after these: --instance NAME --version X.Y.Z (SAMPLE_LATENCY_MS, SAMPLE_FAULTY_VERSIONS in the environment)
ENTRYPOINT ["java", "-cp", "/app", "io.deploystage.stack.sample.SampleApp", "--host", "0.0.0.0", "--port", "8080"]
