package io.swarmflow.cli.e2e;

import static io.swarmflow.cli.e2e.Cli.git;
import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.swarmflow.cli.e2e.Cli.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state directory is refused when someone else could have put its runs there: a directory above it that another
 * user owns or can write to (they could rename it and put theirs in its place), a state directory others can write to,
 * or one whose files a git repository tracks (committed runs come with every clone, owned by whoever cloned). Nothing
 * is written when refused. The tests run as root (CI); the other user is nobody (uid 65534), given directories with
 * chown, as in {@link StatePermissionsTest}.
 */
class StateDirTrustTest {
    static final int NOBODY = 65534;

    @TempDir
    Path tmp;
    Path spec;

    @BeforeEach
    void spec() {
        spec = Cli.write(tmp.resolve("s.yaml"), "tickets:\n  - {id: a, run: \"echo a log line\"}\n");
    }

    private static void root() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root, to give a directory to another user");
    }

    private static Path dir(Path p, String mode) throws Exception {
        Files.createDirectories(p);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode)); // whatever the umask
        return p;
    }

    private static void chmod(Path p, String octal) throws Exception {
        Process c = new ProcessBuilder("chmod", octal, p.toString()).redirectErrorStream(true).start();
        assertThat(c.waitFor()).as(new String(c.getInputStream().readAllBytes())).isZero();
    }

    private static void chown(Path p, int uid, String group) throws Exception {
        Process c = new ProcessBuilder("chown", uid + ":" + group, p.toString()).redirectErrorStream(true).start();
        assertThat(c.waitFor()).as(new String(c.getInputStream().readAllBytes())).isZero();
    }

    private static Result swarmWith(Path state, String... command) {
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(List.of("--state-dir", state.toString()));
        return swarm(args.toArray(String[]::new));
    }

    private static List<Path> tree(Path p) throws Exception {
        try (var walk = Files.walk(p)) {
            return walk.toList();
        }
    }

    private String runIn(Path state) throws Exception {
        Result r = swarmWith(state, "run", spec.toString(), "--plain");
        assertThat(r.code()).as("%s", r).isZero();
        try (var runs = Files.list(state.resolve("runs"))) {
            return runs.findFirst().orElseThrow().getFileName().toString();
        }
    }

    /**
     * {@code --state-dir /tmp/x/new}, where another user made /tmp/x (mode 0777): swarm made {@code new}, yours (0700),
     * and used it, though that user could rename it and put theirs in its place. Refused, and not made; reached through
     * a symbolic link, the message names the real directory.
     */
    @Test
    void aStateDirectoryToBeMadeInADirectoryAnotherUserOwnsIsRefusedAndNotMade() throws Exception {
        root();
        Path foreign = dir(tmp.resolve("x"), "rwxrwxrwx");
        chown(foreign, NOBODY, "nogroup");
        Path state = foreign.resolve("new");
        Path link = Files.createSymbolicLink(Files.createDirectory(tmp.resolve("repo")).resolve("shared"), foreign);

        for (Path given : List.of(state, link.resolve("new"))) {
            Result r = swarmWith(given, "run", spec.toString(), "--plain");

            assertThat(r.code()).as("%s", r).isEqualTo(2);
            assertThat(r.err()).as("%s", r).startsWith("swarm: the state directory " + given
                    + (given.equals(state) ? "" : " (" + foreign.toRealPath().resolve("new") + ")")
                    + " is inside " + foreign.toRealPath() + ", which is owned by another user (nobody:nogroup, mode rwxrwxrwx), "
                    + "who could rename the state directory and put theirs in its place").contains("nothing was changed",
                    "Point --state-dir").doesNotContain("sudo -u"); // nobody (the overflow uid) is no one to run as
            assertThat(state).doesNotExist();
        }
        // without the write bits for others, that user still owns the directory and can rename what is in it
        Files.setPosixFilePermissions(foreign, PosixFilePermissions.fromString("rwxr-xr-x"));
        Result r = swarmWith(state, "run", spec.toString(), "--plain");
        assertThat(r.code()).as("%s", r).isEqualTo(2);
        assertThat(r.err()).contains("owned by another user (nobody:nogroup, mode rwxr-xr-x)");
        assertThat(tree(foreign)).containsExactly(foreign);
    }

    /**
     * An existing state directory in a directory another user can write to is just as replaceable as one swarm is about
     * to make there: every command that opens it refuses it, and nothing in it changes.
     */
    @Test
    void anExistingStateDirectoryInsideADirectoryOthersCanWriteIsRefusedByEveryCommand() throws Exception {
        root();
        Path shared = dir(tmp.resolve("shared"), "rwxr-xr-x");
        Path state = shared.resolve("state");
        String run = runIn(state);
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx")); // root's, writable by all
        List<Path> files = tree(state);
        byte[] db = Files.readAllBytes(state.resolve("swarm.db"));

        for (String[] command : List.of(new String[] {"status"}, new String[] {"runs"}, new String[] {"logs", run, "a"},
                new String[] {"report"}, new String[] {"approve", run, "a"}, new String[] {"clean", run},
                new String[] {"resume", run}, new String[] {"run", spec.toString(), "--plain"})) {
            Result r = swarmWith(state, command);

            assertThat(r.code()).as("%s", r).isEqualTo(2);
            assertThat(r.err()).as("%s", r).isEqualTo("swarm: the state directory " + state + " is inside " + shared
                    + ", which is writable by every user (root:root, mode rwxrwxrwx), who could rename the state directory and "
                    + "put theirs in its place, with runs swarm would run; nothing was changed. Run chmod go-w " + shared
                    + " (or chmod +t, for a directory others share), or point --state-dir (or SWARM_STATE_DIR) at a directory "
                    + "of yours that only you and root can write to, and whose parent directories are the same (one under your "
                    + "home directory)\n");
        }
        assertThat(tree(state)).as("nothing added or removed").containsExactlyInAnyOrderElementsOf(files);
        assertThat(Files.readAllBytes(state.resolve("swarm.db"))).isEqualTo(db);

        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x")); // as it says: chmod go-w
        assertThat(swarmWith(state, "status").code()).isZero();
    }

    /**
     * A state directory not made yet, below a directory others can write to: {@code swarm run}, which would make it there,
     * refuses it; the commands that use an existing one find no Swarmflow state and only say so ({@code runs} exits 0,
     * the others 2), as the README says, and nothing is made.
     */
    @Test
    void aStateDirectoryNotMadeYetBelowADirectoryOthersCanWriteIsRefusedByRunAndTheOthersSayThereIsNone() throws Exception {
        Path shared = dir(tmp.resolve("shared"), "rwxrwxrwx"); // yours (or root's), writable by all
        Path state = shared.resolve("state");

        Result run = swarmWith(state, "run", spec.toString(), "--plain");
        assertThat(run.code()).as("%s", run).isEqualTo(2);
        assertThat(run.err()).as("%s", run).startsWith("swarm: the state directory " + state + " is inside " + shared
                + ", which is writable by every user (").contains("nothing was changed");

        Result runs = swarmWith(state, "runs");
        assertThat(runs.code()).as("%s", runs).isZero();
        assertThat(runs.out()).isEqualTo("no runs in " + state + " (there is no state directory there yet)\n");
        for (String[] command : List.of(new String[] {"status"}, new String[] {"logs", "r", "a"}, new String[] {"report"},
                new String[] {"approve", "r", "a"}, new String[] {"reject", "r", "a", "--reason", "no"},
                new String[] {"cancel", "r"}, new String[] {"clean", "r"}, new String[] {"resume", "r"})) {
            Result r = swarmWith(state, command);
            assertThat(r.code()).as("%s", r).isEqualTo(2);
            assertThat(r.err()).as("%s", r).startsWith("swarm: no Swarmflow state in " + state + "; ");
        }
        assertThat(tree(shared)).as("nothing made").containsExactly(shared);
    }

    /**
     * A directory writable by a group (here nogroup) lets its members replace the state directory; a sticky directory
     * of another user lets that user rename what is in it.
     */
    @Test
    void aGroupWritableParentAndAnotherUsersStickyParentAreRefused() throws Exception {
        root();
        Path group = dir(tmp.resolve("team"), "rwxrwxr-x");
        chown(group, 0, "nogroup");
        Result r = swarmWith(group.resolve("state"), "run", spec.toString(), "--plain");
        assertThat(r.code()).as("%s", r).isEqualTo(2);
        assertThat(r.err()).as("%s", r).contains("is inside " + group + ", which is writable by the users of the group nogroup "
                + "(root:nogroup, mode rwxrwxr-x)", "chmod go-w " + group);
        assertThat(group.resolve("state")).doesNotExist();

        Path sticky = dir(tmp.resolve("theirs"), "rwxrwxrwx");
        chmod(sticky, "1777");
        chown(sticky, NOBODY, "nogroup");
        r = swarmWith(sticky.resolve("state"), "run", spec.toString(), "--plain");
        assertThat(r.code()).as("%s", r).isEqualTo(2);
        assertThat(r.err()).as("%s", r).contains("is inside " + sticky + ", which is owned by another user (nobody:nogroup, "
                + "mode rwxrwxrwx sticky)");
        assertThat(sticky.resolve("state")).doesNotExist();
    }

    /**
     * {@code --state-dir /tmp/link/state}, where another user made {@code /tmp/link} a symbolic link to a directory of
     * yours: its real path is yours alone, but that user can point the link at a directory of theirs. Refused by the
     * command, which names the link, its owner and the real path, and makes nothing.
     */
    @Test
    void aStateDirectoryReachedThroughAnotherUsersLinkInAStickyDirectoryIsRefused() throws Exception {
        root();
        Path sticky = dir(tmp.resolve("pub"), "rwxrwxrwx");
        chmod(sticky, "1777");
        Path mine = dir(tmp.resolve("mine"), "rwx------");
        Path link = Files.createSymbolicLink(sticky.resolve("link"), mine);
        Process c = new ProcessBuilder("chown", "-h", NOBODY + ":nogroup", link.toString()).redirectErrorStream(true).start();
        assertThat(c.waitFor()).as(new String(c.getInputStream().readAllBytes())).isZero();

        Result r = swarmWith(link.resolve("state"), "run", spec.toString(), "--plain");

        assertThat(r.code()).as("%s", r).isEqualTo(2);
        assertThat(r.err()).as("%s", r).startsWith("swarm: the state directory " + link.resolve("state") + " ("
                + mine.toRealPath().resolve("state") + ") is reached through the symbolic link " + sticky.toRealPath()
                .resolve("link") + " -> " + mine + ", owned by nobody (another user) in the sticky directory ")
                .contains("nothing was changed", "at its real path, " + mine.toRealPath().resolve("state"));
        assertThat(tree(mine)).containsExactly(mine);
        runIn(mine.resolve("state")); // its real path is used
    }

    /**
     * The README's CI container: root in a checkout that uid 1001 owns (with no name here, as in a container) is refused
     * a {@code .swarm} there, told to run as the owner ({@code sudo -u '#1001'}); a state directory of root's in the
     * temporary directory, as the README says, is used.
     */
    @Test
    void rootInAWorkspaceAnotherUidOwnsIsRefusedItsSwarmDirectoryAndUsesOneInTmp() throws Exception {
        root();
        Path workspace = dir(tmp.resolve("workspace"), "rwxr-xr-x");
        chown(workspace, 1001, "1001");

        Result r = swarmWith(workspace.resolve(".swarm"), "run", spec.toString(), "--plain");

        assertThat(r.code()).as("%s", r).isEqualTo(2);
        assertThat(r.err()).as("%s", r).contains("is inside " + workspace + ", which is owned by another user (",
                "run swarm as them: sudo -u " + (nameOf(workspace).chars().allMatch(Character::isDigit) ? "'#1001'"
                        : nameOf(workspace)) + " swarm ...");
        assertThat(workspace.resolve(".swarm")).doesNotExist();
        runIn(tmp.resolve("swarm-state"));
    }

    private static String nameOf(Path p) throws Exception {
        return Files.getOwner(p).getName();
    }

    /** A state directory others can write to: they could replace its database. Refused; chmod go-w fixes it. */
    @Test
    void aStateDirectoryOthersCanWriteToIsRefused() throws Exception {
        Path state = tmp.resolve("state");
        runIn(state);
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxrwxrwx"));
        List<Path> files = tree(state);

        Result r = swarmWith(state, "status");

        assertThat(r.code()).as("%s", r).isEqualTo(2);
        String me = System.getProperty("user.name");
        assertThat(r.err()).as("%s", r).startsWith("swarm: the state directory " + state + " is writable by every user ("
                + me + ":" + Files.readAttributes(state, java.nio.file.attribute.PosixFileAttributes.class).group().getName()
                + ", mode rwxrwxrwx), who could replace its database with theirs").contains("nothing was changed",
                "Run chmod go-w " + state);
        assertThat(tree(state)).containsExactlyInAnyOrderElementsOf(files);
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxr-x---"));
        assertThat(swarmWith(state, "status").code()).isZero();
    }

    /**
     * The layouts that stay accepted: a directory with the sticky bit (as /tmp) that root owns, though every user writes
     * to it (its entries only their owner can rename); a directory writable by its owner's user private group (umask
     * 002 on distributions that give each user a group of their own: root's group root here, which lists no member).
     * The state directories of every other test sit in /tmp, root's and sticky, below JUnit's directory (0700).
     */
    @Test
    void aStickyParentAndAParentWritableByItsOwnersPrivateGroupAreAccepted() throws Exception {
        root();
        Path sticky = dir(tmp.resolve("pub"), "rwxrwxrwx");
        chmod(sticky, "1777");
        runIn(sticky.resolve("state"));

        Path upg = dir(tmp.resolve("project"), "rwxrwxr-x");
        chown(upg, 0, "root");
        runIn(upg.resolve(".swarm"));
        assertThat(swarmWith(upg.resolve(".swarm"), "status").code()).isZero();
    }

    private static void setfacl(Path p, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("setfacl"));
        cmd.addAll(List.of(args));
        cmd.add(p.toString());
        // no setfacl (package acl, which .ci/run installs) fails the test: the ACL rule would go unchecked
        Process c = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(c.waitFor()).as(new String(c.getInputStream().readAllBytes())).isZero();
    }

    /**
     * A directory writable by its owner's private group is accepted, but a POSIX ACL can let other users write to it too
     * (the mode's group bits are then the ACL's mask): a named user or group with write is refused, named; a named entry
     * without write, or the ACL removed, is accepted.
     */
    @Test
    void aParentWritableByItsOwnersPrivateGroupWithAnAclGrantingOthersWriteIsRefused() throws Exception {
        root();
        Path upg = dir(tmp.resolve("project"), "rwxrwxr-x");
        chown(upg, 0, "root");
        Path state = upg.resolve(".swarm");
        setfacl(upg, "-m", "u:nobody:rwx");

        Result r = swarmWith(state, "run", spec.toString(), "--plain");

        assertThat(r.code()).as("%s", r).isEqualTo(2);
        assertThat(r.err()).as("%s", r).startsWith("swarm: the state directory " + state + " is inside " + upg + ", which is "
                + "writable by the user nobody through its ACL (root:root, mode rwxrwxr-x, with a POSIX ACL: getfacl " + upg
                + "), who could rename the state directory").contains("nothing was changed", "chmod go-w " + upg);
        assertThat(state).doesNotExist();

        setfacl(upg, "-x", "u:nobody");
        setfacl(upg, "-m", "g:nogroup:rwx");
        r = swarmWith(state, "run", spec.toString(), "--plain");
        assertThat(r.code()).as("%s", r).isEqualTo(2);
        assertThat(r.err()).as("%s", r).contains("which is writable by the group nogroup through its ACL");
        assertThat(state).doesNotExist();

        setfacl(upg, "-m", "g:nogroup:r-x,u:nobody:r-x"); // an ACL, but no one else writes
        runIn(state);
        setfacl(upg, "-b");
        assertThat(swarmWith(state, "status").code()).isZero();
    }

    /**
     * A {@code .swarm/swarm.db} committed to a repository comes with every clone, owned by whoever cloned it: {@code swarm
     * resume RUN} of a run the cloner never started would run its commands. Refused by every command, nothing changed;
     * once untracked (as the message says), it is used.
     */
    @Test
    void aStateDirectoryWhoseFilesARepositoryTracksIsRefused() throws Exception {
        Path repo = Cli.gitRepo(tmp.resolve("upstream"));
        String run = runIn(repo.resolve(".swarm"));
        git(repo, "add", "-f", ".swarm/swarm.db", ".swarm/runs");
        git(repo, "commit", "-q", "-m", "planted runs");
        Path clone = tmp.resolve("clone");
        git(tmp, "clone", "-q", repo.toString(), clone.toString());
        Path state = clone.resolve(".swarm");
        assertThat(state.resolve("swarm.db")).exists();
        List<Path> files = tree(state);
        byte[] db = Files.readAllBytes(state.resolve("swarm.db"));

        for (String[] command : List.of(new String[] {"status"}, new String[] {"runs"}, new String[] {"logs", run, "a"},
                new String[] {"resume", run}, new String[] {"run", spec.toString(), "--plain"})) {
            Result r = swarmWith(state, command);

            assertThat(r.code()).as("%s", r).isEqualTo(2);
            assertThat(r.err()).as("%s", r).startsWith("swarm: the state directory " + state + " holds files that the git "
                    + "repository " + clone + " tracks (swarm.db, runs/").contains("runs/" + run + "/", "nothing was changed",
                    "If they came with the repository, delete them: git -C " + clone + " rm -r -q -- .swarm/runs .swarm/swarm.db, then commit",
                    "stop tracking them: git -C " + clone + " rm -r -q --cached -- .swarm/runs .swarm/swarm.db, then commit",
                    "--state-dir (or SWARM_STATE_DIR) at a directory outside the repository");
        }
        assertThat(tree(state)).as("nothing added or removed").containsExactlyInAnyOrderElementsOf(files);
        assertThat(Files.readAllBytes(state.resolve("swarm.db"))).isEqualTo(db);

        git(clone, "rm", "-r", "-q", "--cached", "--", ".swarm");
        git(clone, "commit", "-q", "-m", "untrack the state");
        assertThat(swarmWith(state, "status").code()).isZero();
    }

    /**
     * The state directory swarm makes in a repository ({@code .swarm}, with its {@code .gitignore}) is used, also when
     * that {@code .gitignore} alone is committed (it lets no run in).
     */
    @Test
    void anUntrackedStateDirectoryInARepositoryIsUsedAndSoIsOneWithItsGitignoreCommitted() throws Exception {
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Path state = repo.resolve(".swarm");
        runIn(state);
        assertThat(swarmWith(state, "status").code()).isZero();

        git(repo, "add", "-f", ".swarm/.gitignore");
        git(repo, "commit", "-q", "-m", "keep .swarm ignored");
        assertThat(swarmWith(state, "status").code()).isZero();
    }
}
