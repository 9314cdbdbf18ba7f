package io.swarmflow.cli.docs;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the README and the {@code ./swarm} launcher's own line say of the CLI's first build agree with each other and
 * with what the launcher builds: the same duration (at least a minute: a review timed a first {@code ./swarm --help}
 * at 2m54s, 1m12s of it CPU time, where both had said "about a minute"), and the number of modules {@code -pl
 * swarmflow-cli -am} builds (the CLI and the modules of this repository it depends on).
 */
class FirstBuildWordingTest {
    private static final Path README = DocPathsTest.ROOT.resolve("README.md");
    private static final Path LAUNCHER = DocPathsTest.ROOT.resolve("swarm");
    private static final Map<String, Integer> NUMBERS = Map.of("two", 2, "three", 3, "four", 4, "five", 5, "six", 6);
    private static final Pattern WORDING = Pattern.compile("a Maven build of (\\w+) modules");

    /** The launcher's line said while it builds. */
    private static String launcherLine() throws Exception {
        return Files.readAllLines(LAUNCHER).stream().filter(l -> l.contains("building the CLI")).findFirst().orElseThrow();
    }

    /** The README's words on the first build, from "builds the CLI on first use" to the end of its parenthesis. */
    private static String readmeWords() throws Exception {
        String readme = Files.readString(README).replaceAll("\\s+", " ");
        int start = readme.indexOf("builds the CLI on first use (");
        assertThat(start).as("the README's sentence on the first build").isNotNegative();
        return readme.substring(start, readme.indexOf(')', start));
    }

    @Test
    void theReadmeAndTheLauncherGiveTheSameDurationOfAtLeastAMinute() throws Exception {
        String launcher = launcherLine();
        String readme = readmeWords();
        for (String words : List.of(launcher, readme)) {
            assertThat(words).contains("a minute or more").doesNotContain("about a minute").doesNotContain("takes a minute");
        }
    }

    @Test
    void theModulesTheyCountAreThoseTheLauncherBuilds() throws Exception {
        // -pl swarmflow-cli -am: the CLI and the swarmflow modules its pom depends on (theirs depend only on core)
        assertThat(Files.readString(LAUNCHER)).contains("-pl swarmflow-cli -am");
        String pom = Files.readString(DocPathsTest.ROOT.resolve("swarmflow-cli/pom.xml"));
        Matcher dep = Pattern.compile("<artifactId>(swarmflow-[a-z-]+)</artifactId></dependency>").matcher(pom);
        int modules = 1;
        while (dep.find()) modules++;

        for (String words : List.of(launcherLine(), readmeWords())) {
            Matcher m = WORDING.matcher(words);
            assertThat(m.find()).as("'a Maven build of N modules' in %s", words).isTrue();
            assertThat(NUMBERS.get(m.group(1))).as("%s", words).isEqualTo(modules);
        }
    }
}
