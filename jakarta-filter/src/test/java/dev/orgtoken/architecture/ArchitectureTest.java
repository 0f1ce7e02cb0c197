package dev.orgtoken.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;

/**
 * The boundaries the design depends on, checked on the compiled main classes of core,
 * jakarta-filter and testkit in every build (ArchUnit), so they are enforced rather than described.
 */
@AnalyzeClasses(packages = "dev.orgtoken", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    private static final String[] CORE = {"dev.orgtoken", "dev.orgtoken.jwks..", "dev.orgtoken.jws..", "dev.orgtoken.m2m..",
            "dev.orgtoken.net.."};
    private static final String[] INTERNAL = {"dev.orgtoken.jwks..", "dev.orgtoken.jws..", "dev.orgtoken.net.."};

    /** Core runs anywhere: Spring without servlets, a CLI, a message consumer. */
    @ArchTest
    static final ArchRule coreNeverImportsJakarta = noClasses().that().resideInAnyPackage(CORE)
            .should().dependOnClassesThat().resideInAnyPackage("jakarta..", "javax.servlet..");

    /** Rules match a method and a normalized path: testable and fuzzable without a container. */
    @ArchTest
    static final ArchRule rulesKnowNoServlets = noClasses().that().resideInAPackage("dev.orgtoken.rules..")
            .should().dependOnClassesThat().resideInAnyPackage("jakarta..", "dev.orgtoken.servlet..");

    /** Core's internals are core's: the filter and everyone else use the API package only. */
    @ArchTest
    static final ArchRule internalsStayInCore = noClasses().that().resideOutsideOfPackages(CORE)
            .should().dependOnClassesThat().resideInAnyPackage(INTERNAL);

    /** Internals never reach back up into the API package: layers, not a knot. */
    @ArchTest
    static final ArchRule internalsDoNotDependOnTheApi = noClasses()
            .that().resideInAnyPackage(INTERNAL)
            .should().dependOnClassesThat().resideInAnyPackage("dev.orgtoken", "dev.orgtoken.m2m..");

    /** The testkit is a separate, Logto-compatible issuer: it shares no code with what it tests. */
    @ArchTest
    static final ArchRule testkitIsIndependent = noClasses().that().resideInAPackage("dev.orgtoken.testkit..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.orgtoken", "dev.orgtoken.jwks..", "dev.orgtoken.jws..",
                    "dev.orgtoken.m2m..", "dev.orgtoken.net..", "dev.orgtoken.rules..", "dev.orgtoken.servlet..");

    /** Every package is its own slice, the root package included. */
    @ArchTest
    static final ArchRule noPackageCycles = slices().assignedFrom(new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            return javaClass.getPackageName().startsWith("dev.orgtoken") ? SliceIdentifier.of(javaClass.getPackageName())
                    : SliceIdentifier.ignore();
        }

        @Override
        public String getDescription() {
            return "every dev.orgtoken package";
        }
    }).should().beFreeOfCycles();

    /** Names say what a thing is. */
    @ArchTest
    static final ArchRule noManagersHelpersOrUtils = classes().that().resideInAPackage("dev.orgtoken..")
            .should().haveSimpleNameNotEndingWith("Manager").andShould().haveSimpleNameNotEndingWith("Helper")
            .andShould().haveSimpleNameNotEndingWith("Util").andShould().haveSimpleNameNotEndingWith("Utils");
}
