package io.deploystage.e2e;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;

import io.deploystage.stack.ServiceProcess;

/** Decisions are plain Java: no class in a service's domain package may depend on a framework. */
class DomainPurityTest {

    @Test
    void domainClassesImportNoFramework() {
        Path root = ServiceProcess.projectRoot();
        List<Path> classes = ServiceProcess.SERVICES.stream().map(s -> root.resolve(s).resolve("target/classes")).toList();
        JavaClasses imported = new ClassFileImporter().importPaths(classes);
        assertTrue(imported.stream().anyMatch(c -> c.getPackageName().endsWith(".domain")), "domain classes were found");
        noClasses().that().resideInAPackage("io.deploystage..domain..")
                .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "io.smallrye..", "jakarta..", "org.apache.avro..",
                        "org.apache.kafka..", "io.vertx..", "org.hibernate..", "io.deploystage.events..", "io.deploystage.platform..")
                .check(imported);
    }
}
