package io.swarmflow.git;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link GitWorktrees#filesInHead}: which files the commit {@code HEAD} names holds, not what is on disk or staged, as
 * validation asks it of matrix expansions sharing an output file in the checkout.
 */
class FilesInHeadTest {
    @TempDir
    Path tmp;

    private static String git(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", dir.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    @Test
    void committedFilesAreInHeadAndNothingElseIs() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        git(repo, "init", "-q");
        Files.writeString(Files.createDirectories(repo.resolve("dir")).resolve("a b.txt"), "1\n");
        Files.writeString(repo.resolve("VERSION"), "1\n");
        Files.createSymbolicLink(repo.resolve("link"), Path.of("VERSION"));
        Files.writeString(repo.resolve("gone"), "1\n");
        Files.writeString(repo.resolve(":(glob)*"), "1\n"); // pathspec magic, were it not taken literally
        Files.writeString(repo.resolve("line\nbreak"), "1\n");
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "one");
        Files.delete(repo.resolve("gone")); // deleted in the checkout: still in the commit
        Files.writeString(repo.resolve("staged"), "1\n");
        git(repo, "add", "staged"); // staged, not committed
        Files.writeString(repo.resolve("untracked"), "1\n");

        Map<String, Boolean> inHead = GitWorktrees.filesInHead(repo, List.of("VERSION", "dir/a b.txt", "link", "gone",
                ":(glob)*", "line\nbreak", "staged", "untracked", "missing", "dir", "*", "dir/*"));

        Map<String, Boolean> expected = new java.util.HashMap<>(Map.of("VERSION", true, "dir/a b.txt", true, "link", true,
                "gone", true, ":(glob)*", true, "line\nbreak", true, "staged", false, "untracked", false, "missing", false));
        expected.putAll(Map.of("dir", false, "*", false, "dir/*", false));
        assertThat(inHead).containsExactlyInAnyOrderEntriesOf(expected);
    }

    /**
     * In a partial clone without the files' contents ({@code --filter=blob:none}), the answer comes from the trees: nothing
     * is fetched (the origin is gone, so a fetch would fail, and the file be taken as not in the commit).
     */
    @Test
    void aPartialCloneIsAnsweredWithoutFetching() throws Exception {
        Path origin = Files.createDirectories(tmp.resolve("origin"));
        git(origin, "init", "-q");
        git(origin, "config", "uploadpack.allowFilter", "true");
        Files.writeString(origin.resolve("VERSION"), "1\n");
        git(origin, "add", "-A");
        git(origin, "commit", "-q", "-m", "one");
        git(tmp, "clone", "-q", "--no-checkout", "--filter=blob:none", "file://" + origin, "clone");
        assertThat(git(tmp.resolve("clone"), "rev-list", "--objects", "--missing=print", "HEAD")).as("the blob is not there")
                .contains("\n?");
        deleteTree(origin);

        assertThat(GitWorktrees.filesInHead(tmp.resolve("clone"), List.of("VERSION", "missing")))
                .containsExactlyInAnyOrderEntriesOf(Map.of("VERSION", true, "missing", false));
    }

    private static void deleteTree(Path dir) throws Exception {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    /** More paths than one git command takes: asked in several, each answered. */
    @Test
    void manyPathsAreAllAnswered() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        git(repo, "init", "-q");
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < GitWorktrees.PATHS_PER_COMMAND * 2 + 1; i++) paths.add("f" + i);
        for (int i = 0; i < paths.size(); i += 2) Files.writeString(repo.resolve(paths.get(i)), "1\n");
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "one");

        Map<String, Boolean> inHead = GitWorktrees.filesInHead(repo, paths);

        assertThat(inHead).hasSize(paths.size());
        for (int i = 0; i < paths.size(); i++) assertThat(inHead.get(paths.get(i))).as(paths.get(i)).isEqualTo(i % 2 == 0);
    }

    /**
     * A path below a submodule (a gitlink: git ls-tree stops there) or below a committed symbolic link cannot be told from
     * HEAD's tree: left out (a warning), not answered false (a refusal of a valid spec). Below a regular file no file can
     * be: false.
     */
    @Test
    void aPathBelowASubmoduleOrASymbolicLinkCannotBeTold() throws Exception {
        Path sub = Files.createDirectories(tmp.resolve("sub"));
        git(sub, "init", "-q");
        Files.writeString(sub.resolve("data.txt"), "1\n");
        git(sub, "add", "-A");
        git(sub, "commit", "-q", "-m", "sub");
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        git(repo, "init", "-q");
        Files.writeString(Files.createDirectories(repo.resolve("d")).resolve("a.txt"), "1\n");
        Files.createSymbolicLink(repo.resolve("l"), Path.of("d"));
        Files.writeString(repo.resolve("VERSION"), "1\n");
        git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", sub.toUri().toString(), "vendor");
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "one");
        assertThat(git(repo, "ls-tree", "HEAD", "--", "vendor")).as("a gitlink").startsWith("160000 commit ");

        Map<String, Boolean> inHead = GitWorktrees.filesInHead(repo, List.of("vendor/data.txt", "vendor/deeper/x", "l/a.txt",
                "d/a.txt", "d/missing", "VERSION/x", "VERSION"));

        assertThat(inHead).containsExactlyInAnyOrderEntriesOf(Map.of("d/a.txt", true, "d/missing", false, "VERSION/x", false,
                "VERSION", true));
    }

    /**
     * In a partial clone without trees ({@code --filter=tree:0}), {@code git ls-tree} would fetch HEAD's trees from the
     * promisor remote (over the network, perhaps asking for an ssh passphrase): not asked, so nothing is fetched, and
     * the answer is "cannot tell".
     */
    @Test
    void aTreelessPartialCloneIsNotAskedSoNothingIsFetched() throws Exception {
        Path origin = Files.createDirectories(tmp.resolve("origin"));
        git(origin, "init", "-q");
        git(origin, "config", "uploadpack.allowFilter", "true");
        git(origin, "config", "uploadpack.allowAnySHA1InWant", "true");
        Files.writeString(Files.createDirectories(origin.resolve("d")).resolve("Data.txt"), "1\n");
        git(origin, "add", "-A");
        git(origin, "commit", "-q", "-m", "one");
        git(tmp, "clone", "-q", "--no-checkout", "--filter=tree:0", "file://" + origin, "clone");
        Path clone = tmp.resolve("clone");
        String rootTree = git(origin, "rev-parse", "HEAD^{tree}").trim();
        assertThat(missing(clone)).as("the trees are not there").contains("?" + rootTree);

        assertThat(GitWorktrees.filesInHead(clone, List.of("d/Data.txt", "missing"))).isEmpty();
        assertThat(missing(clone)).as("nothing was fetched").contains("?" + rootTree);
    }

    /** The objects HEAD needs that the clone lacks, each as {@code ?<sha>}, listed without fetching them. */
    private static String missing(Path clone) throws Exception {
        return git(clone, "rev-list", "--objects", "--missing=print", "HEAD");
    }

    /**
     * A path whose bytes on git's command line (encoded as {@code sun.jnu.encoding}, from the locale) are not its UTF-8
     * bytes, the form git's trees hold it in: not asked (it would be answered false: a refusal of a committed file), so
     * left out. In a Latin-1 or C locale {@code données.txt} is such a path; an ASCII one is asked as always. (Not made a
     * file here: in a C locale this JVM could not name it.)
     */
    @Test
    void aPathTheLocaleCannotPassToGitAsUtf8CannotBeTold() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        git(repo, "init", "-q");
        Files.writeString(repo.resolve("VERSION"), "1\n");
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "one");

        assertThat(GitWorktrees.filesInHead(repo, List.of("donn\u00e9es.txt", "VERSION"), StandardCharsets.ISO_8859_1))
                .containsExactlyEntriesOf(Map.of("VERSION", true));
        assertThat(GitWorktrees.filesInHead(repo, List.of("donn\u00e9es.txt", "VERSION"), StandardCharsets.US_ASCII))
                .containsExactlyEntriesOf(Map.of("VERSION", true));
    }

    @Test
    void aRepositoryWithoutACommitHoldsNoFile() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        git(repo, "init", "-q");
        Files.writeString(repo.resolve("VERSION"), "1\n");
        git(repo, "add", "VERSION");

        assertThat(GitWorktrees.filesInHead(repo, List.of("VERSION"))).containsExactlyEntriesOf(Map.of("VERSION", false));
    }

    @Test
    void whatGitCannotTellIsLeftOut() throws Exception {
        Path notARepository = Files.createDirectories(tmp.resolve("plain"));
        assertThat(GitWorktrees.filesInHead(notARepository, List.of("VERSION"))).isEmpty();
        assertThat(GitWorktrees.filesInHead(tmp.resolve("missing"), List.of("VERSION"))).isEmpty();
    }
}
