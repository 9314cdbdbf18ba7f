package io.swarmflow.cli.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every file of this repository that the README and the pages in docs/ name by its path exists (docs/sandbox.md named
 * SandboxPromisesTest in a package it had left). Build output ({@code target/}) is not checked.
 */
class DocPathsTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern PATH =
            Pattern.compile("(?<![\\w/.-])(?:swarmflow-[a-z]+|scripts|examples|docs|\\.ci)/[\\w./-]*\\w");

    @Test
    void thePathsTheDocsNameExist() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        List<String> named = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Path page : pages) {
            Matcher m = PATH.matcher(Files.readString(page));
            while (m.find()) {
                String path = m.group();
                if (path.contains("/target/")) continue;
                named.add(path);
                if (!Files.exists(ROOT.resolve(path))) missing.add(ROOT.relativize(page) + ": " + path);
            }
        }
        assertThat(named).as("paths found in the docs").hasSizeGreaterThan(10);
        assertThat(missing).as("paths the docs name that do not exist").isEmpty();
    }
}
