package io.swarmflow.cli.e2e;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The examples shipped in examples/ run green, as the README promises. */
class ExamplesTest {
    static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();
    /**
     * Secrets planted for the scan, each written in two parts so that this file, once committed, is no finding of the
     * repo-health secret scan run on this repository (it listed 7 lines of this file as possible secrets).
     */
    private static final String AWS_KEY = "AKIA" + "IOSFODNN7EXAMPLE";
    private static final String SLACK_TOKEN = "xox" + "b-1234567890-abcdef";
    private static final String PGP_KEY = "-----BEGIN PGP PRIVATE " + "KEY BLOCK-----";
    private static final String ENCRYPTED_KEY = "-----BEGIN ENCRYPTED PRIVATE " + "KEY-----";

    @TempDir
    Path tmp;

    /**
     * The spec shown in the README is a valid spec. It has no {@code agents:}, so its profiles are the ones named after
     * the agent kinds, which validate names rather than only counting.
     */
    @Test
    void theReadmesSpecExampleValidates() throws Exception {
        String readme = Files.readString(EXAMPLES.resolveSibling("README.md"));
        int at = readme.indexOf("A spec is YAML");
        int start = readme.indexOf("```yaml\n", at) + "```yaml\n".length();
        String yaml = readme.substring(start, readme.indexOf("```", start));
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Path spec = Cli.write(repo.resolve("swarm.yaml"), yaml);

        Cli.Result r = Cli.swarm("validate", spec.toString());

        assertThat(yaml).contains("tickets:").doesNotContain("agents:");
        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.out()).contains(" 2 agent profiles (noop, shell), concurrency ");
    }

    /** The plan validate prints for the hello example names its failure handler as one, and the others plainly. */
    @Test
    void theHelloPlanShowsWhichTicketRunsOnlyOnAFailure() {
        Cli.Result r = Cli.swarm("validate", EXAMPLES.resolve("hello/swarm.yaml").toString());

        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.out()).contains("\n  flaky [shell, repo]\n", "\n  on-failure [shell, repo] needs count, flaky; when: failure\n",
                "\n  summary [shell, repo] needs count, flaky\n");
    }

    /**
     * The spec at the top of docs/spec.md is a valid spec, with the plan that page describes, and without warnings: it
     * hands outputs to scripts through env, as the page advises (pasted into run, each got a warning).
     */
    @Test
    void theSpecReferencesExampleValidates() throws Exception {
        String page = Files.readString(EXAMPLES.resolveSibling("docs").resolve("spec.md"));
        int start = page.indexOf("```yaml\n") + "```yaml\n".length();
        String yaml = page.substring(start, page.indexOf("```", start));
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Path spec = Cli.write(repo.resolve("swarm.yaml"), yaml);

        Cli.Result r = Cli.swarm("validate", spec.toString());

        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.out()).contains("swarm 'release', 4 tickets, 3 agent profiles (noop, qa, shell), concurrency 3",
                "build [shell, worktree]", "test-linux [qa, repo] needs build",
                // the gate is in the plan: without it, ship looked like a ticket that runs once the tests pass
                "  ship [shell, repo] needs test-linux, test-macos; approval: before-run\n");
        assertThat(r.err()).as("%s", r).doesNotContain("warning");
    }

    @Test
    void helloSucceedsWithARetryAndASkip() throws Exception {
        Cli.Result r = Cli.swarm("run", EXAMPLES.resolve("hello/swarm.yaml").toString(), "--plain", "--state-dir", tmp.resolve("state").toString());
        assertThat(r.code()).as("%s", r).isZero();
        // the delay is drawn from 0 to the ceiling (full jitter), which the line says: backoff: {initial: 200ms}; a draw
        // under a millisecond reads "now" (ProgressView.retryLine)
        assertThat(r.out()).containsPattern("flaky will retry (in \\d+ms|now) \\(retry 1 of 2; backoff with full jitter, up to 200ms\\)\n");
        assertThat(r.out()).contains("on-failure skipped: no dependency failed (when: failure)", "'hello, world' has 10 letters");
        // what count found is its output, shown beside it in report.html and status --json
        Cli.Result status = Cli.swarm("status", "--json", "--state-dir", tmp.resolve("state").toString());
        assertThat(Cli.ticket(status.json(), "count").get("outputs").get("letters").asText()).isEqualTo("10");
    }

    @Test
    void repoHealthChecksAnotherRepositoryAndCommitsItsFixOnABranch() throws Exception {
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        // a few hundred files, some with trailing whitespace for the worktree fix. (A `| head` under pipefail,
        // which once failed `churn` with SIGPIPE on a fresh clone, fails only when the writer is still writing
        // as head exits: timing-dependent, so this test guards the examples in general, not that case.)
        for (int i = 0; i < 400; i++) {
            Files.writeString(repo.resolve("file-with-a-long-name-number-%03d.txt".formatted(i)), "line " + i + (i % 50 == 0 ? "   \n" : "\n"));
        }
        // source files are fixed; in Markdown two trailing spaces are a line break, so it is left as it is
        Files.writeString(repo.resolve("tool.py"), "print(1)  \n");
        Files.writeString(repo.resolve("notes.md"), "first line  \nsecond line\n");
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "many files");
        assertThat(repoHealthReport(repo)).contains("| tracked files | 403", "| whitespace fix | 9 files on branch swarm/")
                .containsPattern("## Automatic whitespace fix \\(git diff --stat\\)\\s+```\\s+file-with-a-long-name-number-000.txt \\| 2 \\+-")
                .contains("9 files changed", "tool.py", "notes.md: trailing whitespace").doesNotContain("notes.md |");
        String branches = git(repo, "branch", "--list", "swarm/*");
        assertThat(branches).contains("fix-whitespace");
        assertThat(git(repo, "log", "-1", "--format=%s", branches.strip().replace("* ", "").replace("+ ", "")))
                .contains("Strip trailing whitespace");
    }

    /**
     * The secret scan found its own pattern: its line holding the PGP private key header matched itself, so the main job
     * on this repository (which tracks the example) reported examples/repo-health/swarm.yaml as a possible secret.
     */
    @Test
    void repoHealthsSecretScanDoesNotFindItsOwnPatterns() throws Exception {
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Files.createDirectories(repo.resolve("examples"));
        Files.copy(EXAMPLES.resolve("repo-health/swarm.yaml"), repo.resolve("examples/swarm.yaml"));
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "the example");
        assertThat(repoHealthReport(repo)).contains("| possible secrets | 0 |").doesNotContain("examples/swarm.yaml:");
    }

    @Test
    void repoHealthOnACleanRepositorySaysThereWasNothingToFix() throws Exception {
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        assertThat(repoHealthReport(repo)).contains("| whitespace fix | nothing to fix |")
                .containsPattern("## Automatic whitespace fix \\(git diff --stat\\)\\s+```\\s+\\(nothing\\)\\s+```");
    }

    /**
     * A repository whose only commit is empty, as 'git commit --allow-empty -m init' (which swarm suggests for a
     * repository with no commit) leaves it: churn's grep -v found no line and failed the ticket.
     */
    @Test
    void repoHealthChecksARepositoryWithOnlyAnEmptyCommit() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        git(repo, "init", "-q", "-b", "main");
        git(repo, "commit", "-q", "--allow-empty", "-m", "init");

        assertThat(repoHealthReport(repo)).contains("| tracked files | 0 (0 lines) |", "| hygiene issues | 0 |",
                "| commits / authors | 1 / 1 |", "| whitespace fix | nothing to fix |");
    }

    /**
     * Planted problems in files named as git allows: one starting with '-' (which cat, grep and tail took for an option,
     * failing the inventory and so the whole check), non-ASCII (which git quoted, losing its type and mangling hot spots),
     * spaces, a ':' (which cut the secret scan's file:line short). Each finding is reported once, exactly; an untracked
     * file is not read; the fix commits three files, keeping CRLF line endings. Lint checks HEAD, as the fix does: it read
     * the working tree, whose uncommitted changes listed whitespace the fix branch did not fix and left out some it did.
     */
    @Test
    void repoHealthReportsPlantedProblemsInFilesWithOddNames() throws Exception {
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Files.writeString(repo.resolve("-dash.txt"), "no newline at the end");
        Files.writeString(repo.resolve("\u00fcn\u00efcode.md"), "text\r\nwith CRLF\r\n");
        Files.writeString(repo.resolve("with space.py"), "x = 1  \n");
        Files.writeString(repo.resolve("creds.txt"), "aws: " + AWS_KEY + "\n");
        Files.writeString(repo.resolve("key:id.txt"), "slack\n" + SLACK_TOKEN + "\n");
        // kinds the scan once missed: an OAuth and a fine-grained GitHub token, a PGP and an encrypted private key
        Files.writeString(repo.resolve("tokens.env"), "A=gho_" + "a1".repeat(18) + "\nB=github_pat_" + "b_2".repeat(27) + "c\n"
                + PGP_KEY + "\n" + ENCRYPTED_KEY + "\n");
        Files.writeString(repo.resolve("win.ini"), "a = 1\r\nb = 2 \t\r\n");
        Files.write(repo.resolve("latin1.txt"), new byte[] {'c', 'a', 'f', (byte) 0xe9});
        Files.write(repo.resolve("bin.dat"), new byte[] {0, 1, 2, ' ', ' ', '\n'});
        // git diff --stat, and so swarm's diffstat output, quotes a name with a tab even with core.quotePath=false
        Files.writeString(repo.resolve("tab\tname.txt"), "x \n");
        // a newline in a name broke the report's line-based lists, backticks could end its code blocks
        Files.writeString(repo.resolve("new\nline.txt"), AWS_KEY + " \n");
        Files.writeString(repo.resolve("```x.sh"), "echo x \n");
        Files.createDirectories(repo.resolve("a\nb"));
        Files.writeString(repo.resolve("a\nb/requirements.txt"), "flask\n");
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "planted");
        Files.writeString(repo.resolve("untracked.txt"), "AKIA" + "IOSFODNN7EXAMPLF  \n");
        // uncommitted: whitespace added to a clean file, and taken from one the fix branch (from HEAD) fixes
        Files.writeString(repo.resolve("key:id.txt"), "slack  \n" + SLACK_TOKEN + "\n");
        Files.writeString(repo.resolve("with space.py"), "x = 1\n");

        String report = repoHealthReport(repo);

        assertThat(report).contains("| tracked files | 14 ", "| hygiene issues | 9 |", "latin1.txt: no newline at end of file", "| possible secrets | 7 |",
                        "tokens.env:1\ntokens.env:2\ntokens.env:3\ntokens.env:4\n",
                        "| source files without license header | 2 of 2 |", "| whitespace fix | 5 files on branch swarm/",
                        "tab\tname.txt: trailing whitespace", " 5 files changed, 5 insertions(+), 5 deletions(-)\n````\n",
                        "win.ini: trailing whitespace", "win.ini: CRLF line endings",
                        "-dash.txt: no newline at end of file", "\u00fcn\u00efcode.md: CRLF line endings",
                        "with space.py: trailing whitespace", "creds.txt:1", "key:id.txt:2\n", "      1 \u00fcn\u00efcode.md", "      2 md\n")
                .doesNotContain("untracked", "bin.dat:", "\\303", "AKIA", "xoxb", "gho_", "github_pat_", "key:id.txt: trailing")
                .contains("Hygiene issues and the whitespace fix are of the tracked files as committed at HEAD")
                .containsPattern("\n tab\tname\\.txt +\\| 2 \\+-\n").doesNotContain("\"tab\\tname");
        // a newline in a name is shown as \n, in every list; a list holding ``` is fenced with ````
        assertThat(report).contains("new\\nline.txt: trailing whitespace\n", "new\\nline.txt:1\n", "| declared dependencies | 1 distinct third-party |",
                        "pip flask in a\\nb/requirements.txt\n", "## Hygiene issues\n\n````\n-dash.txt: no newline at end of file\n```x.sh: trailing whitespace\n",
                        "## Source files without a license header\n\n````\n```x.sh\nwith space.py\n````\n")
                .containsPattern("\n new\\\\nline\\.txt +\\| 2 \\+-\n").doesNotContain("new\nline", "a\nb/");
        assertThat(git(repo, "status", "--porcelain")).isEqualTo(" M key:id.txt\n M \"with space.py\"\n?? untracked.txt\n");
        // the spaces before a CR go, the CRLF line endings stay
        String branch = git(repo, "branch", "--list", "swarm/*").replaceAll("[*+ \n]", "");
        assertThat(git(repo, "show", branch + ":win.ini")).isEqualTo("a = 1\r\nb = 2\r\n");
        assertThat(git(repo, "log", "-1", "--format=", "--name-only", "-z", branch)).contains("new\nline.txt\0", "```x.sh\0");
    }

    /**
     * What git tracks but is no file to read: a submodule, symlinks (dangling, to a directory), a file deleted from
     * the working tree. The inventory ran cat on each and failed (exit 123), skipping every check; it now counts the
     * lines of the files there are. A symlink to a tracked file is checked once, as that file: it was linted and
     * license-checked twice, and the whitespace fix replaced it with a copy of its target. A deleted pom.xml failed the
     * dependency report, an unreadable file (to the sandboxed agent) a lint shard; the dependency report skips it, lint
     * checks HEAD's content of both, as the fix does (which fixes locked.sh).
     */
    @Test
    void repoHealthChecksARepositoryWithASubmoduleSymlinksAndDeletedOrUnreadableFiles() throws Exception {
        Path sub = Cli.gitRepo(tmp.resolve("sub"));
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Files.writeString(repo.resolve("gone.py"), "deleted from the working tree\n");
        Files.writeString(repo.resolve("pom.xml"), "<project><dependencies><dependency><artifactId>gone</artifactId></dependency></dependencies></project>\n");
        Files.writeString(repo.resolve("locked.sh"), "echo locked  \n");
        Files.createDirectories(repo.resolve("dir"));
        Files.writeString(repo.resolve("dir/in.txt"), "one\ntwo\n");
        Files.writeString(repo.resolve("dir/pom.xml"), "<project><dependencies><dependency><artifactId>kept</artifactId></dependency></dependencies></project>\n");
        Files.createSymbolicLink(repo.resolve("dangling"), Path.of("no-such-file"));
        Files.createSymbolicLink(repo.resolve("dirlink"), Path.of("dir"));
        Files.writeString(repo.resolve("tool.py"), "x = 1  \n");
        Files.createSymbolicLink(repo.resolve("link.py"), Path.of("tool.py"));
        git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", sub.toString(), "sub");
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "odd entries");
        Files.delete(repo.resolve("gone.py"));
        Files.delete(repo.resolve("pom.xml"));
        Files.setPosixFilePermissions(repo.resolve("locked.sh"), java.nio.file.attribute.PosixFilePermissions.fromString("---------"));

        String report = repoHealthReport(repo);

        // README.md, .gitmodules, gone.py, pom.xml, dir/pom.xml, dir/in.txt, locked.sh, dangling, dirlink, sub, tool.py,
        // link.py; lines of README.md, .gitmodules, dir/in.txt, dir/pom.xml, tool.py. A dotfile (.gitmodules) has no
        // extension, like dangling, dirlink and sub: it was counted as type 'gitmodules'.
        assertThat(report).contains("| tracked files | 12 (8 lines) |", "| hygiene issues | 2 |", "tool.py: trailing whitespace",
                        "locked.sh: trailing whitespace",
                        "| source files without license header | 1 of 1 |", "| declared dependencies | 1 distinct third-party |", "maven ?:kept (no version) in dir/pom.xml",
                        "| whitespace fix | 2 files on branch swarm/", "      4 (no extension)\n")
                .doesNotContain("link.py:", "link.py |", "\nlink.py\n", "gitmodules");
        String branch = git(repo, "branch", "--list", "swarm/*").replaceAll("[*+ \n]", "");
        // the worktree's locked.sh, checked out from HEAD, is readable and fixed
        assertThat(git(repo, "diff", "--summary", "--stat", "main", branch)).contains("tool.py   | 2 +-", "locked.sh | 2 +-")
                .doesNotContain("link.py");
        assertThat(git(repo, "status", "--porcelain")).isEqualTo(" D gone.py\n D pom.xml\n");
    }

    /**
     * The dependency report lists what is depended on: it listed every key after an empty "devDependencies": {} up to
     * the next '}' (here "scripts" and "test") and the artifacts a Maven dependency excludes, and missed the
     * dependencies of a minified package.json. It listed pip's option lines (-r, --index-url) with versions and
     * comments and missed a top-level requirements-dev.txt; Cargo's [dependencies.NAME] tables and commented-out
     * lines were wrong, and go.mod's comments were modules. After a Maven dependency written on one line it listed
     * every later artifactId as a dependency, plugins included (this repository's pom.xml: 63 "dependencies", 13 of
     * them its build plugins). A Maven dependency is groupId:artifactId:version (it was the artifactId alone): the
     * version as written, a ${name} of the pom's own properties resolved (one defined elsewhere left as written), or
     * "(managed)" when the dependency has none. One the same pom declares without a version and manages with one
     * (assertj-core in this repository's pom.xml) was listed twice, as g:a:(managed) and g:a:3.27.7: it is listed once,
     * with the version. Each dependency is one line, with the manifests that declare it (left-pad, in two).
     */
    @Test
    void repoHealthListsOnlyDeclaredDependencies() throws Exception {
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Files.writeString(repo.resolve("package.json"), """
                {
                  "name": "x",
                  "devDependencies": {},
                  "scripts": {
                    "test": "jest"
                  },
                  "dependencies": {
                    "left-pad": "1.0",
                    "@scope/pkg": "^2"
                  }
                }
                """);
        Files.createDirectories(repo.resolve("min"));
        Files.writeString(repo.resolve("min/package.json"),
                "{\"dependencies\":{\"a\":\"1\",\"left-pad\":\"1.0\",\"b\":\"git+https://h/r\"},\"devDependencies\":{\"c\":\"2\"},\"other\":{\"z\":1}}\n");
        Files.writeString(repo.resolve("pom.xml"), """
                <project>
                  <properties>
                    <baz.version>2.5</baz.version>
                  </properties>
                  <dependencyManagement>
                    <dependencies>
                      <dependency><groupId>g</groupId><artifactId>managed</artifactId><version>3.27.7</version></dependency>
                    </dependencies>
                  </dependencyManagement>
                  <dependencies>
                    <dependency><groupId>g</groupId><artifactId>managed</artifactId></dependency>
                    <dependency><groupId>g</groupId><artifactId>baz</artifactId><version>${baz.version}</version></dependency>
                    <dependency><groupId>g</groupId><artifactId>qux</artifactId><version>${parent.only}</version></dependency>
                    <dependency>
                      <groupId>g</groupId>
                      <artifactId>foo</artifactId>
                      <exclusions>
                        <exclusion>
                          <groupId>h</groupId>
                          <artifactId>excluded</artifactId>
                        </exclusion>
                      </exclusions>
                    </dependency>
                    <dependency><groupId>g</groupId><artifactId>bar</artifactId><version>1</version></dependency>
                  </dependencies>
                  <build>
                    <plugins>
                      <plugin><artifactId>maven-x-plugin</artifactId></plugin>
                    </plugins>
                  </build>
                </project>
                """);
        Files.writeString(repo.resolve("Cargo.toml"), """
                [package]
                name = "x"

                [dependencies]
                serde = { version = "1" }
                # old = "0.1"
                rand="0.8"

                [dependencies.tokio]
                version = "1"

                [target.'cfg(unix)'.dependencies]
                libc = "0.2"
                """);
        Files.writeString(repo.resolve("requirements-dev.txt"), """
                -r base.txt
                --index-url https://example.invalid/simple
                requests==2.0  # pinned
                Django[argon2]>=4 ; python_version >= "3.8"

                # a comment
                flask
                """);
        Files.writeString(repo.resolve("go.mod"), "module m\n\nrequire (\n\t// tools\n\tgolang.org/x/mod v0.1.0 // indirect\n)\n"
                + "require github.com/a/b v1.0.0\n");
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "manifests");

        assertThat(repoHealthReport(repo)).contains("| declared dependencies | 19 distinct third-party (declared 20 times) |", """
                ## Declared dependencies (each once: its versions, and the manifests that declare it)

                ```
                cargo libc in Cargo.toml
                cargo rand in Cargo.toml
                cargo serde in Cargo.toml
                cargo tokio in Cargo.toml
                go github.com/a/b in go.mod
                go golang.org/x/mod in go.mod
                maven g:bar 1 in pom.xml
                maven g:baz 2.5 in pom.xml
                maven g:foo (no version) in pom.xml
                maven g:managed 3.27.7 in pom.xml
                maven g:qux ${parent.only} in pom.xml
                npm @scope/pkg in package.json
                npm a in min/package.json
                npm b in min/package.json
                npm c in min/package.json
                npm left-pad in min/package.json, package.json
                pip Django in requirements-dev.txt
                pip flask in requirements-dev.txt
                pip requests in requirements-dev.txt
                ```
                """).doesNotContain("Maven BOMs");
    }

    /**
     * The dependency report listed the repository's own modules as its dependencies (on this repository,
     * io.swarmflow:swarmflow-core and three other modules, in 12 of its 53 lines): a dependency whose
     * groupId and artifactId one of the repository's pom.xml files declares for itself is left out, and the report says
     * how many modules were. A groupId given as ${project.groupId} is the pom's own (its parent's when it has none); an
     * artifact of the same groupId that no pom.xml here builds stays; a commented-out dependency is none.
     */
    @Test
    void repoHealthLeavesTheRepositorysOwnMavenModulesOutOfItsDependencies() throws Exception {
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Files.writeString(repo.resolve("pom.xml"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <groupId>org.acme</groupId>
                  <artifactId>acme-parent</artifactId>
                  <dependencyManagement><dependencies>
                    <dependency><groupId>org.acme</groupId><artifactId>acme-core</artifactId><version>1</version></dependency>
                    <dependency><groupId>org.junit</groupId><artifactId>junit-bom</artifactId><version>5.14.1</version><type>pom</type><scope>import</scope></dependency>
                  </dependencies></dependencyManagement>
                </project>
                """);
        Files.createDirectories(repo.resolve("core"));
        Files.writeString(repo.resolve("core/pom.xml"), """
                <project>
                  <parent>
                    <groupId>org.acme</groupId>
                    <artifactId>acme-parent</artifactId>
                  </parent>
                  <artifactId>acme-core</artifactId>
                  <dependencies>
                    <dependency>
                      <groupId>org.yaml</groupId>
                      <artifactId>snakeyaml</artifactId>
                    </dependency>
                    <!-- <dependency><groupId>org.old</groupId><artifactId>commented-out</artifactId></dependency> -->
                  </dependencies>
                </project>
                """);
        Files.createDirectories(repo.resolve("cli"));
        Files.writeString(repo.resolve("cli/pom.xml"), """
                <project>
                  <parent><groupId>org.acme</groupId><artifactId>acme-parent</artifactId></parent>
                  <artifactId>acme-cli</artifactId>
                  <dependencies>
                    <dependency><groupId>${project.groupId}</groupId><artifactId>acme-core</artifactId></dependency>
                    <dependency><groupId>org.acme</groupId><artifactId>acme-parent</artifactId><type>pom</type></dependency>
                    <dependency><groupId>org.acme</groupId><artifactId>acme-elsewhere</artifactId></dependency>
                    <dependency><groupId>other.group</groupId><artifactId>acme-core</artifactId></dependency>
                    <dependency><groupId>info.picocli</groupId><artifactId>picocli</artifactId></dependency>
                  </dependencies>
                </project>
                """);
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "a reactor");

        assertThat(repoHealthReport(repo)).contains(
                "| declared dependencies | 4 distinct third-party; 2 modules of this repository left out; 1 Maven BOM imported, not counted |", """
                ```
                maven info.picocli:picocli (version from an imported BOM) in cli/pom.xml
                maven org.acme:acme-elsewhere (version from an imported BOM) in cli/pom.xml
                maven org.yaml:snakeyaml (version from an imported BOM) in core/pom.xml
                maven other.group:acme-core (version from an imported BOM) in cli/pom.xml
                ```
                """).doesNotContain("commented-out");
    }

    /**
     * On this repository the dependency report said "41 third-party" for 20 distinct artifacts: it counted one line per
     * pom per artifact, so awaitility, declared in four modules, counted four times. A module's dependency whose version
     * the parent pom manages was shown as "(managed)", and the BOMs the parent imports (jackson-bom, junit-bom) were
     * listed and counted as dependencies. Now each artifact is one line, with its versions and the poms that declare it
     * (a parent pom's dependencies saying how many modules inherit them);
     * a version managed in a parent pom of this repository (by a property of the parent, here) is resolved; BOMs, and
     * versions managed for no declared dependency, are listed apart and not counted.
     */
    @Test
    void repoHealthCountsEachMavenArtifactOnceWithItsVersionFromTheParentAndListsBomsApart() throws Exception {
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Files.writeString(repo.resolve("pom.xml"), """
                <project>
                  <groupId>org.acme</groupId><artifactId>acme-parent</artifactId><version>1.0</version>
                  <properties><lib.version>2.0</lib.version><c.version>9</c.version></properties>
                  <dependencyManagement><dependencies>
                    <dependency><groupId>org.acme</groupId><artifactId>acme-core</artifactId><version>${project.version}</version></dependency>
                    <dependency><groupId>org.lib</groupId><artifactId>lib</artifactId><version>${lib.version}</version></dependency>
                    <dependency>
                      <groupId>org.bom</groupId><artifactId>the-bom</artifactId><version>3</version>
                      <type>pom</type><scope>import</scope>
                    </dependency>
                    <dependency><groupId>org.pin</groupId><artifactId>pinned</artifactId><version>4</version></dependency>
                  </dependencies></dependencyManagement>
                  <dependencies><dependency><groupId>org.test</groupId><artifactId>t</artifactId><version>1</version></dependency></dependencies>
                </project>
                """);
        for (String module : List.of("a", "b", "c")) Files.createDirectories(repo.resolve(module));
        Files.writeString(repo.resolve("a/pom.xml"), """
                <project>
                  <parent><groupId>org.acme</groupId><artifactId>acme-parent</artifactId><version>1.0</version></parent>
                  <artifactId>acme-a</artifactId>
                  <dependencies>
                    <dependency><groupId>org.lib</groupId><artifactId>lib</artifactId></dependency>
                    <dependency><groupId>org.yaml</groupId><artifactId>snakeyaml</artifactId><version>2.5</version></dependency>
                    <dependency><groupId>org.bommed</groupId><artifactId>x</artifactId></dependency>
                    <dependency><groupId>org.acme</groupId><artifactId>acme-core</artifactId></dependency>
                  </dependencies>
                </project>
                """);
        Files.writeString(repo.resolve("b/pom.xml"), """
                <project>
                  <parent><groupId>org.acme</groupId><artifactId>acme-parent</artifactId><version>1.0</version></parent>
                  <artifactId>acme-core</artifactId>
                  <dependencies>
                    <dependency><groupId>org.lib</groupId><artifactId>lib</artifactId><scope>test</scope></dependency>
                    <dependency><groupId>org.yaml</groupId><artifactId>snakeyaml</artifactId><version>2.4</version></dependency>
                    <dependency><groupId>commons</groupId><artifactId>c</artifactId><version>${c.version}</version></dependency>
                  </dependencies>
                </project>
                """);
        Files.writeString(repo.resolve("c/pom.xml"), """
                <project>
                  <parent><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-parent</artifactId></parent>
                  <groupId>org.acme</groupId><artifactId>acme-app</artifactId>
                  <dependencies><dependency><groupId>org.springframework</groupId><artifactId>spring-web</artifactId></dependency></dependencies>
                </project>
                """);
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "a reactor with a parent that manages versions and imports a BOM");

        String report = repoHealthReport(repo);

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(report).as("each artifact counted and listed once, with its versions and the poms that declare it")
                .contains("| declared dependencies | 6 distinct third-party (declared 8 times); 1 module of this repository left out; "
                        + "1 Maven BOM imported, not counted |", "maven org.test:t 1 in pom.xml (inherited by 2 modules)\n",
                        "maven org.lib:lib 2.0 in a/pom.xml, b/pom.xml\n", "maven org.yaml:snakeyaml 2.4 in b/pom.xml; 2.5 in a/pom.xml\n");
        soft.assertThat(report).as("a version the parent pom manages, or a property of the parent, is resolved")
                .contains("maven org.lib:lib 2.0 ", "maven commons:c 9 in b/pom.xml\n",
                        "maven org.springframework:spring-web (version from parent org.springframework.boot:spring-boot-starter-parent) in c/pom.xml\n")
                .doesNotContain("(managed)");
        soft.assertThat(report).as("BOMs, and managed versions no pom declares, are listed apart and not counted")
                .contains("maven org.bommed:x (version from an imported BOM) in a/pom.xml\n", """
                        ## Maven BOMs, and versions managed for no declared dependency (not counted)

                        ```
                        BOM org.bom:the-bom 3 imported in pom.xml
                        managed only org.pin:pinned 4 in pom.xml
                        ```
                        """)
                .doesNotContain("maven org.bom:the-bom", "maven org.pin:pinned");
        soft.assertAll();
    }

    /**
     * lint, license-headers and fix-whitespace ran a few processes per file, each costing milliseconds in the sandbox:
     * 3000 files took 4 minutes, and a repository of some 8000 would time out at the spec's 5m. They now run a few
     * processes per check; given 20 s instead of 5 minutes, 2000 files pass with ease (the per-file scripts took more
     * than a minute).
     */
    @Test
    void repoHealthChecksTwoThousandFilesInSeconds() throws Exception {
        String yaml = Files.readString(EXAMPLES.resolve("repo-health/swarm.yaml"));
        assertThat(yaml).contains("  timeout: 5m\n");
        Path spec = Cli.write(tmp.resolve("spec/swarm.yaml"), yaml.replace("  timeout: 5m\n", "  timeout: 20s\n"));
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Files.createDirectories(repo.resolve("src"));
        for (int i = 0; i < 2000; i++) {
            Files.writeString(repo.resolve("src/C%d.java".formatted(i)), i % 500 == 0 ? "class C%d {}  \n".formatted(i) : "class C%d {}\n".formatted(i));
        }
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "many files");

        assertThat(repoHealthReport(spec, repo, true)).contains("| tracked files | 2001 (2001 lines) |", "| hygiene issues | 4 |",
                "| source files without license header | 2000 of 2000 |", "| whitespace fix | 4 files on branch swarm/");
    }

    /**
     * The report runs whatever happened before it. A check that did not succeed is unknown, not clean: its list said
     * '(nothing)' and the hygiene count added up the shards that did succeed as if they were all. A list longer than
     * the 30 lines shown says how many more there are. A git grep that fails (exit 2 or more, here after printing what
     * it found) fails the secret scan: its '|| true', meant for exit 1 (nothing found), reported its findings as all.
     */
    @Test
    void repoHealthReportSaysWhichChecksDidNotSucceed() throws Exception {
        String yaml = Files.readString(EXAMPLES.resolve("repo-health/swarm.yaml"));
        String failing = yaml
                .replace("      echo \"{\\\"issues\\\": \\\"$n\\\"}\"\n", "      [ ${{ matrix.shard }} -ne 2 ] || exit 3\n      echo \"{\\\"issues\\\": \\\"$n\\\"}\"\n")
                .replace("      patterns='AKIA", "      git() { command git \"$@\"; return 2; }\n      patterns='AKIA");
        assertThat(failing).as("the failures were planted").contains("|| exit 3").contains("return 2; }\n");
        Path spec = Cli.write(tmp.resolve("spec/swarm.yaml"), failing);
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Files.writeString(repo.resolve("creds.txt"), AWS_KEY + "\n");
        for (int i = 0; i < 40; i++) {
            Files.writeString(repo.resolve("f%02d.txt".formatted(i)), "trailing \n");
        }
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "problems");

        String report = repoHealthReport(spec, repo, false);

        // README.md, creds.txt, f00.txt ... f39.txt: lint-2 has every fourth f file from f00, 10 of 40
        assertThat(report).contains("| hygiene issues | 30 or more (1 of 4 lint shards did not succeed) |",
                        "| possible secrets | ? |", "| whitespace fix | ? (fix-whitespace did not succeed) |", "| tracked files | 42 ")
                .containsPattern("## Hygiene issues\\s+```\\n(f\\d\\d.txt: trailing whitespace\\n){30}\\.\\.\\. and 10 more in \\S+/lint.txt\\n"
                        + "\\(a lint shard did not succeed: this list may be incomplete\\)\\n```")
                .contains("creds.txt:1\n(secret-scan did not succeed: this list may be incomplete)\n```",
                        "## Automatic whitespace fix (git diff --stat)\n\n```\n(unknown: fix-whitespace did not succeed)\n```",
                        "## Source files without a license header\n\n```\n(nothing)\n```");
    }

    /** Runs examples/repo-health on {@code repo} (it must succeed) and returns the Markdown report it wrote. */
    /**
     * On this repository, lint's only finding was "mvnw.cmd: CRLF line endings": a Windows batch file, which cmd.exe needs
     * with CRLF, reported as a problem to fix. .cmd and .bat files are no longer checked for CRLF; other files still are,
     * and trailing whitespace in a batch file is still found.
     */
    @Test
    void repoHealthDoesNotReportCrlfInWindowsBatchFiles() throws Exception {
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Files.writeString(repo.resolve("build.cmd"), "@echo off\r\necho build\r\n");
        Files.writeString(repo.resolve("SETUP.BAT"), "@echo off \r\n");
        Files.writeString(repo.resolve("notes.txt"), "a\r\nb\r\n");
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "windows files");

        String report = repoHealthReport(repo);

        assertThat(report).contains("| hygiene issues | 2 |", "notes.txt: CRLF line endings", "SETUP.BAT: trailing whitespace")
                .doesNotContain("build.cmd:", "SETUP.BAT: CRLF");
    }

    /**
     * repo-health run on this repository reported "possible secrets: 7", all of them the secrets ExamplesTest plants for
     * the scan, written out whole: a maintainer's first run of the main example flagged their own clean repository. Every
     * tracked text file is matched against the scan's own patterns, read from the example.
     */
    @Test
    void thisRepositoryHoldsNothingTheRepoHealthSecretScanFinds() throws Exception {
        String yaml = Files.readString(EXAMPLES.resolve("repo-health/swarm.yaml"));
        java.util.regex.Matcher parts = java.util.regex.Pattern.compile("patterns=(?:\"\\$patterns\")?'([^']*)'").matcher(yaml);
        List<String> alternatives = new java.util.ArrayList<>();
        while (parts.find()) {
            alternatives.add(parts.group(1));
        }
        assertThat(alternatives).as("the scan's patterns, as the example writes them").hasSize(2);
        // the second part adds to the first: it starts with its own "|"
        java.util.regex.Pattern secret = java.util.regex.Pattern.compile(String.join("", alternatives));
        Path root = EXAMPLES.getParent();
        List<String> found = new java.util.ArrayList<>();
        // the tracked files; in a tree without .git (a source archive), every file but build output and run state
        List<String> names;
        if (Files.exists(root.resolve(".git"))) {
            names = List.of(git(root, "ls-files", "-z").split("\0"));
        } else {
            try (Stream<Path> all = Files.walk(root)) {
                names = all.map(f -> root.relativize(f).toString())
                        .filter(n -> !n.matches("(.*/)?(target|\\.swarm)(/.*)?")).toList();
            }
        }
        for (String name : names) {
            Path file = root.resolve(name);
            if (name.isEmpty() || !Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            String text = new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1);
            String[] lines = text.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                if (secret.matcher(lines[i]).find()) {
                    found.add(name + ":" + (i + 1));
                }
            }
        }
        assertThat(found).as("tracked lines the secret scan reports (write a planted secret in two parts)").isEmpty();
    }

    private String repoHealthReport(Path repo) throws Exception {
        return repoHealthReport(EXAMPLES.resolve("repo-health/swarm.yaml"), repo, true);
    }

    /** Runs the repo-health spec {@code spec} on {@code repo}, succeeding or failing, and returns its Markdown report. */
    private String repoHealthReport(Path spec, Path repo, boolean succeeds) throws Exception {
        Path state = tmp.resolve("state");
        Cli.Result r = Cli.swarm("run", spec.toString(), "--var", "repo=" + repo, "--plain", "--quiet", "--state-dir", state.toString());
        if (succeeds) {
            assertThat(r.code()).as("%s", r).isZero();
        } else {
            assertThat(r.code()).as("%s", r).isNotZero();
        }
        try (Stream<Path> runs = Files.list(state.resolve("runs"))) {
            Path run = runs.findFirst().orElseThrow();
            Path markdown = run.resolve("scratch/repo-health.md");
            // the report ticket's output names it, for report.html and status --json
            Cli.Result status = Cli.swarm("status", run.getFileName().toString(), "--json", "--state-dir", state.toString());
            assertThat(Cli.ticket(status.json(), "report").get("outputs").get("path").asText()).isEqualTo(markdown.toString());
            return Files.readString(markdown);
        }
    }

    private static String git(Path repo, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("git", "-C", repo.toString(), "-c", "user.name=t", "-c", "user.email=t@t"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("git %s: %s", String.join(" ", args), out).isZero();
        return out;
    }
}
