package io.deploystage.e2e;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;

import io.deploystage.stack.ServiceProcess;

/**
 * Decisions are plain Java: no class in a domain package (a service's, or the shared rules in platform's) may depend on
 * a framework, on the Avro contracts, or on platform code other than the shared domain.
 */
class DomainPurityTest {

    @Test
    void domainClassesImportNoFramework() {
        Path root = ServiceProcess.projectRoot();
        List<Path> classes = new java.util.ArrayList<>(ServiceProcess.SERVICES.stream().map(s -> root.resolve(s).resolve("target/classes")).toList());
        classes.add(root.resolve("platform/target/classes"));
        classes.add(root.resolve("console-service/target/classes"));
        JavaClasses imported = new ClassFileImporter().importPaths(classes);
        assertTrue(imported.stream().anyMatch(c -> c.getPackageName().endsWith(".domain")), "domain classes were found");
        assertTrue(imported.stream().anyMatch(c -> c.getPackageName().equals("io.deploystage.platform.domain")), "the shared domain was found");
        assertTrue(imported.stream().anyMatch(c -> c.getPackageName().equals("io.deploystage.console.domain")), "the console's domain was found");
        noClasses().that().resideInAPackage("io.deploystage..domain..")
                .should().dependOnClassesThat(resideInAnyPackage("io.quarkus..", "io.smallrye..", "jakarta..", "org.apache.avro..",
                        "org.apache.kafka..", "io.vertx..", "org.hibernate..", "io.deploystage.events..")
                        .or(resideInAPackage("io.deploystage.platform..").and(DescribedPredicate.not(resideInAPackage("io.deploystage.platform.domain..")))))
                .check(imported);
    }
}
