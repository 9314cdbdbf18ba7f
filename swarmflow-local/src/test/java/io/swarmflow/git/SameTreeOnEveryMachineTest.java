package io.swarmflow.git;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The user's own git configuration ({@code ~/.gitconfig}: line endings, a global attributes file, the executable bit)
 * changes neither the worktree a ticket starts from nor what is committed of its work: the repository's own settings
 * apply, else git's built-in defaults. Swarmflow's git runs in a child JVM whose {@code HOME} holds such a
 * configuration (git reads {@code $HOME/.gitconfig}; Swarmflow drops {@code GIT_CONFIG_GLOBAL} with the other
 * {@code GIT_*} variables).
 */
class SameTreeOnEveryMachineTest {
    @TempDir
    Path tmp;

    /** git with no configuration but the repository's, whatever HOME says. */
    private static String git(Path dir, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("git", "-C", dir.toString(), "-c", "user.name=t", "-c", "user.email=t@t"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("GIT_"));
        pb.environment().put("GIT_CONFIG_GLOBAL", "/dev/null");
        pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    /** Runs {@code step} of this class in a child JVM with {@code HOME=home}. */
    private static String withHome(Path home, String step, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), io.swarmflow.files.OrdinaryUser.class.getName(),
                SameTreeOnEveryMachineTest.class.getName(), step));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("HOME", home.toString());
        pb.environment().remove("XDG_CONFIG_HOME");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    /**
     * A ticket's attempt: makes the worktree, reads {@code base.txt} as the ticket sees it, adds a line to it, writes a
     * file with LF endings, one with CRLF and an executable script, commits. Returns what base.txt held, escaped.
     */
    static String attempt(String... a) throws Exception {
        return attemptWith(a, null, null);
    }

    /** {@link #attempt}, the ticket also writing {@code extra} (when not null) with {@code content}. */
    private static String attemptWith(String[] a, String extra, String content) throws Exception {
        Path repo = Path.of(a[0]);
        Worktree w = GitWorktrees.createWorktree(repo, Path.of(a[1]), "swarm/r/t", GitWorktrees.headCommit(repo).orElseThrow());
        if (extra != null) Files.writeString(w.dir().resolve(extra), content);
        String seen = Files.readString(w.dir().resolve("base.txt"));
        Files.writeString(w.dir().resolve("base.txt"), seen + "y\n");
        Files.writeString(w.dir().resolve("lf.txt"), "a\nb\n");
        Files.writeString(w.dir().resolve("crlf.txt"), "a\r\nb\r\n");
        Path script = Files.writeString(w.dir().resolve("run.sh"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        GitWorktrees.commitAll(w, "t").orElseThrow();
        return seen.replace("\r", "\\r").replace("\n", "\\n");
    }

    private Path repo() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        git(repo, "init", "-q", "-b", "main");
        Files.writeString(repo.resolve("base.txt"), "x\n");
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "initial");
        return repo;
    }

    /** The user's configuration in {@code HOME}: CRLF line endings everywhere, safecrlf on, no executable bit. */
    private Path crlfHome() throws Exception {
        return crlfHome(true);
    }

    private Path crlfHome(boolean safecrlf) throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path attributes = Files.writeString(tmp.resolve("attributes"), "* text eol=crlf\n");
        Files.writeString(home.resolve(".gitconfig"), "[core]\n\tautocrlf = true\n\teol = crlf\n" + (safecrlf ? "\tsafecrlf = true\n" : "") + "\tattributesFile = "
                + attributes + "\n\tfileMode = false\n\tsymlinks = false\n[add]\n\tignoreErrors = true\n");
        return home;
    }

    @Test
    void theUsersLineEndingsAttributesAndModesChangeNothingThatIsCommitted() throws Exception {
        Path repo = repo();
        git(repo, "config", "--unset", "core.filemode"); // git init sets it: as in a repository that does not
        Path home = crlfHome();

        String seen = withHome(home, "attempt", repo.toString(), tmp.resolve("state/runs/r/worktrees/t").toString());

        assertThat(seen).as("base.txt as the ticket found it").isEqualTo("x\\n");
        assertThat(git(repo, "show", "swarm/r/t:base.txt")).isEqualTo("x\ny\n");
        assertThat(git(repo, "show", "swarm/r/t:lf.txt")).isEqualTo("a\nb\n");
        assertThat(git(repo, "show", "swarm/r/t:crlf.txt")).isEqualTo("a\r\nb\r\n");
        assertThat(git(repo, "ls-tree", "swarm/r/t", "run.sh")).startsWith("100755 ");
    }

    /** Without safecrlf, which fails the commit: the bytes committed are the ticket's all the same. */
    @Test
    void theUsersLineEndingsChangeNoBytesThatAreCommitted() throws Exception {
        Path repo = repo();
        Path home = crlfHome(false);

        String seen = withHome(home, "attempt", repo.toString(), tmp.resolve("state/runs/r/worktrees/t").toString());

        assertThat(seen).isEqualTo("x\\n");
        assertThat(git(repo, "show", "swarm/r/t:base.txt")).isEqualTo("x\ny\n");
        assertThat(git(repo, "show", "swarm/r/t:crlf.txt")).isEqualTo("a\r\nb\r\n");
    }

    /** What the repository itself sets applies: a repository that asks for CRLF in the work tree gets it. */
    @Test
    void theRepositorysOwnSettingsApply() throws Exception {
        Path repo = repo();
        git(repo, "config", "core.autocrlf", "true");
        Path home = crlfHome();
        Files.writeString(home.resolve(".gitconfig"), "[core]\n\tautocrlf = false\n", java.nio.file.StandardOpenOption.APPEND);

        String seen = withHome(home, "attempt", repo.toString(), tmp.resolve("state/runs/r/worktrees/t").toString());

        assertThat(seen).isEqualTo("x\\r\\n");
        assertThat(git(repo, "show", "swarm/r/t:base.txt")).isEqualTo("x\ny\n");
        assertThat(git(repo, "show", "swarm/r/t:crlf.txt")).isEqualTo("a\nb\n");
    }

    /**
     * The user's {@code [includeIf "onbranch:swarm/**"]}, which git applies only in a worktree on a ticket's branch (not
     * where Swarmflow reads the repository's settings), changes nothing that is committed: its line endings and global
     * attributes are overridden as the user's others are, and a filter driver it defines, which the ticket's
     * {@code .gitattributes} names, does not run.
     */
    @Test
    void theUsersIncludeForSwarmBranchesChangesNothingThatIsCommittedAndRunsNoFilter() throws Exception {
        Path repo = repo();
        git(repo, "config", "--unset", "core.filemode");
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path attributes = Files.writeString(tmp.resolve("attributes"), "* text eol=crlf\n");
        Path marker = tmp.resolve("filter-ran");
        Path included = Files.writeString(tmp.resolve("swarm.cfg"), "[core]\n\tautocrlf = true\n\teol = crlf\n\tattributesFile = "
                + attributes + "\n\tfileMode = false\n[filter \"evil\"]\n\tclean = touch " + marker + "; cat\n\trequired = true\n");
        Files.writeString(home.resolve(".gitconfig"), "[includeIf \"onbranch:swarm/**\"]\n\tpath = " + included + "\n");

        String seen = withHome(home, "attemptWithFilter", repo.toString(), tmp.resolve("state/runs/r/worktrees/t").toString());

        assertThat(seen).isEqualTo("x\\n");
        assertThat(git(repo, "show", "swarm/r/t:base.txt")).isEqualTo("x\ny\n");
        assertThat(git(repo, "show", "swarm/r/t:crlf.txt")).isEqualTo("a\r\nb\r\n");
        assertThat(git(repo, "show", "swarm/r/t:lf.txt")).isEqualTo("a\nb\n");
        assertThat(git(repo, "ls-tree", "swarm/r/t", "run.sh")).startsWith("100755 ");
        assertThat(marker).as("the included filter driver ran").doesNotExist();
    }

    /** {@link #attempt}, the ticket also writing a {@code .gitattributes} that sends every file through filter {@code evil}. */
    static String attemptWithFilter(String... a) throws Exception {
        Files.createDirectories(Path.of(a[1]).getParent());
        String seen = attemptWith(a, ".gitattributes", "* filter=evil\n");
        return seen;
    }

    /** Environment of every git command: no system attributes file (GIT_ATTR_NOSYSTEM), nothing inherited of git's. */
    @Test
    void gitRunsWithoutTheSystemsAttributesFile() {
        java.util.Map<String, String> env = new java.util.HashMap<>(java.util.Map.of("GIT_DIR", "/x", "GIT_CONFIG_GLOBAL", "/y", "HOME", "/h"));
        GitWorktrees.environment(env);
        assertThat(env).containsEntry("GIT_ATTR_NOSYSTEM", "1").containsEntry("HOME", "/h")
                .doesNotContainKeys("GIT_DIR", "GIT_CONFIG_GLOBAL");
    }

    @Test
    void theOptionsAreTheRepositorysValuesElseTheDefaults() throws Exception {
        Path repo = repo();
        git(repo, "config", "core.autocrlf", "input");
        git(repo, "config", "add.ignore-errors", "true");
        Files.writeString(repo.resolve(".git/config"), "[core]\n\tsymlinks\n", java.nio.file.StandardOpenOption.APPEND);

        List<String> options = GitWorktrees.sameOnEveryMachine(repo);

        assertThat(options).contains("core.autocrlf=input", "add.ignoreerrors=true", "core.symlinks=true",
                "core.attributesfile=/dev/null", "core.eol=native", "core.safecrlf=warn", "core.ignorecase=false",
                "core.precomposeunicode=false").doesNotContain("core.autocrlf=false", "add.ignoreerrors=false");
    }

    /** Settings the repository's config includes ({@code include.path}, a team's shared file) are its own too. */
    @Test
    void theRepositorysIncludedSettingsAreItsOwn() throws Exception {
        Path repo = repo();
        Files.writeString(tmp.resolve("shared.cfg"), "[core]\n\tautocrlf = input\n\tfileMode = false\n");
        git(repo, "config", "include.path", tmp.resolve("shared.cfg").toString());

        List<String> options = GitWorktrees.sameOnEveryMachine(repo);

        assertThat(options).contains("core.autocrlf=input", "core.filemode=false")
                .doesNotContain("core.autocrlf=false", "core.filemode=true");
    }
}
