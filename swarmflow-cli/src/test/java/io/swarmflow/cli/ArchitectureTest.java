package io.swarmflow.cli;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** Keeps the arrows between rooms pointing inward (docs/architecture.md). */
class ArchitectureTest {
    static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.swarmflow");
    }

    @Test
    void specUsesNothingElseOfOurs() {
        noClasses().that().resideInAPackage("io.swarmflow.spec..")
                .should().dependOnClassesThat().resideInAnyPackage("io.swarmflow.engine..", "io.swarmflow.store..",
                        "io.swarmflow.agent..", "io.swarmflow.local..", "io.swarmflow.sandbox..", "io.swarmflow.git..", "io.swarmflow.cli..")
                .check(classes);
    }

    @Test
    void engineKnowsOnlyInterfacesOfStoreAndExecutors() {
        noClasses().that().resideInAPackage("io.swarmflow.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("io.swarmflow.store.sql..", "io.swarmflow.store.memory..",
                        "io.swarmflow.local..", "io.swarmflow.sandbox..", "io.swarmflow.git..", "io.swarmflow.cli..")
                .check(classes);
    }

    @Test
    void storeDoesNotKnowTheEngineOrAgents() {
        noClasses().that().resideInAPackage("io.swarmflow.store..")
                .should().dependOnClassesThat().resideInAnyPackage("io.swarmflow.engine..", "io.swarmflow.agent..",
                        "io.swarmflow.local..", "io.swarmflow.sandbox..", "io.swarmflow.git..", "io.swarmflow.cli..")
                .check(classes);
    }

    @Test
    void sandboxUsesOnlyTheJdkAndJnaForKillAndGitOnlyTheJdk() {
        // JNA only for kill(2) on process groups (io.swarmflow.sandbox.Kill)
        noClasses().that().resideInAPackage("io.swarmflow.sandbox..")
                .should().dependOnClassesThat().resideOutsideOfPackages("java..", "javax..", "io.swarmflow.sandbox..", "com.sun.jna..",
                        "io.swarmflow.files..")
                .check(classes);
        noClasses().that().resideInAPackage("io.swarmflow.git..")
                .should().dependOnClassesThat().resideOutsideOfPackages("java..", "javax..", "io.swarmflow.git..", "io.swarmflow.files..")
                .check(classes);
        // the helpers both share: the JDK alone, but for the one non-blocking read of a file a ticket may swap (open(2)
        // with O_NONBLOCK through JNA: review D2 F2)
        noClasses().that().resideInAPackage("io.swarmflow.files..")
                .and().haveNameNotMatching("io\\.swarmflow\\.files\\.NonBlockingRead(\\$.*)?")
                .should().dependOnClassesThat().resideOutsideOfPackages("java..", "io.swarmflow.files..")
                .check(classes);
        noClasses().that().haveNameMatching("io\\.swarmflow\\.files\\.NonBlockingRead(\\$.*)?")
                .should().dependOnClassesThat().resideOutsideOfPackages("java..", "io.swarmflow.files..", "com.sun.jna..")
                .check(classes);
    }

    @Test
    void coreHasNoFrameworkDependencies() {
        noClasses().that().resideInAnyPackage("io.swarmflow.spec..", "io.swarmflow.engine..", "io.swarmflow.store", "io.swarmflow.agent..")
                .should().dependOnClassesThat().resideInAnyPackage("picocli..", "org.flywaydb..", "org.sqlite..", "org.postgresql..", "java.sql..")
                .check(classes);
    }

    @Test
    void onlyTheCliUsesPicocli() {
        noClasses().that().resideOutsideOfPackage("io.swarmflow.cli..")
                .should().dependOnClassesThat().resideInAPackage("picocli..")
                .check(classes);
    }

    @Test
    void cliCommandsDoNotTalkToTheSqlStoreOrSandboxDirectly() {
        noClasses().that().resideInAPackage("io.swarmflow.cli..").and().doNotHaveSimpleName("Wiring")
                .should().dependOnClassesThat().resideInAnyPackage("io.swarmflow.store.sql..", "io.swarmflow.sandbox..", "io.swarmflow.git..")
                .check(classes);
    }
}
