package io.swarmflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.swarmflow.engine.InvalidRequestException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A state directory's default POSIX ACL is inherited by what swarm makes in it; a directory made there with a wide mode
 * (a {@code runs} directory made 0777 by an older swarm, or by hand) gets the whole mask, so a named entry with write in
 * the default ACL would let another user replace the runs' directories ({@link Wiring#defaultAclWriters}); such a
 * {@code runs} directory is refused itself too, as it keeps its ACL when the default ACL is removed. The state directory is root's, mode 0700; uid 4242 and gid 4243
 * are no one on this machine (their numbers are named).
 */
class StateDirDefaultAclTest {
    @TempDir
    Path tmp;

    Path state;

    @BeforeEach
    void state() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root: the directories are root's");
        state = Files.createDirectory(tmp.resolve("state"));
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx------"));
    }

    private static void setfacl(Path p, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("setfacl"));
        cmd.addAll(List.of(args));
        cmd.add(p.toString());
        Process setfacl = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String said = new String(setfacl.getInputStream().readAllBytes());
        assertThat(setfacl.waitFor()).as(said).isZero();
    }

    @Test
    void aDefaultEntryLettingAnotherUserWriteIsRefused() throws Exception {
        setfacl(state, "-d", "-m", "u:4242:rwx,g:4243:rwx");

        assertThatThrownBy(() -> Wiring.refuseReplaceable(state, 0)).isInstanceOf(InvalidRequestException.class)
                .hasMessage("the state directory " + state + " has a default POSIX ACL (getfacl " + state + ") that makes "
                        + "what is made in it with a wide mode (a runs directory made by hand or by an older swarm) writable by "
                        + "the user 4242 and the group 4243, who could replace the runs' "
                        + "directories with theirs; nothing was changed. Run setfacl -k " + state + " (it removes the default "
                        + "ACL), or point --state-dir (or SWARM_STATE_DIR) at a directory of yours that only you can write to");
    }

    @Test
    void aStateDirectoryMadeBelowOneWithADefaultAclInheritsItAndIsRefused() throws Exception {
        setfacl(state, "-d", "-m", "u:4242:rwx");
        Path fresh = state.resolve(".swarm");
        Path spec = Files.writeString(tmp.resolve("s.yaml"), "tickets:\n  - {id: a, run: \"echo a\"}\n");

        ChildSwarm.Result r = ChildSwarm.run(ChildSwarm.command(List.of(), "run", spec.toString(), "--plain", "--state-dir",
                fresh.toString()), java.util.Map.of("XDG_STATE_HOME", tmp.resolve("xdg-state").toString(),
                "XDG_CACHE_HOME", tmp.resolve("xdg-cache").toString()));

        assertThat(r.exit()).as(r.output()).isEqualTo(2);
        // it is removed on the refusal: only the directory that stays, whose default ACL it inherited, is named
        assertThat(r.output()).contains("swarm: the state directory " + fresh + " would inherit the default POSIX ACL of "
                + state + " (getfacl " + state + "), which makes what is made in it with a wide mode (a runs directory "
                + "made by hand or by an older swarm) writable by the user 4242", "Run "
                + "setfacl -k " + state + " (it removes the default ACL that new directories in it inherit), or point")
                .doesNotContain("setfacl -k " + fresh).doesNotContain("getfacl " + fresh);
        assertThat(fresh).doesNotExist();
    }

    @Test
    void aNestedStateDirectoryMadeBelowOneWithADefaultAclNamesOnlyThatOne() throws Exception {
        setfacl(state, "-d", "-m", "u:4242:rwx");
        Path fresh = state.resolve("a").resolve("b").resolve(".swarm");
        Path spec = Files.writeString(tmp.resolve("s.yaml"), "tickets:\n  - {id: a, run: \"echo a\"}\n");

        ChildSwarm.Result r = ChildSwarm.run(ChildSwarm.command(List.of(), "run", spec.toString(), "--plain", "--state-dir",
                fresh.toString()), java.util.Map.of("XDG_STATE_HOME", tmp.resolve("xdg-state").toString(),
                "XDG_CACHE_HOME", tmp.resolve("xdg-cache").toString()));

        assertThat(r.exit()).as(r.output()).isEqualTo(2);
        assertThat(r.output()).contains("would inherit the default POSIX ACL of " + state + " (getfacl " + state + ")",
                "Run setfacl -k " + state + " (it removes the default ACL that new directories in it inherit)")
                .doesNotContain("setfacl -k " + fresh).doesNotContain("setfacl -k " + fresh.getParent())
                .doesNotContain("setfacl -k " + state.resolve("a"));
        assertThat(state.resolve("a")).doesNotExist();
    }

    @Test
    void aRunsDirectoryMadeWideUnderADefaultAclIsRefusedOnceTheDefaultAclIsRemoved() throws Exception {
        setfacl(state, "-d", "-m", "u:4242:rwx");
        Path runs = Files.createDirectory(state.resolve("runs")); // mode 0777, as swarm made it before: its mask is rwx
        setfacl(state, "-k"); // what the refusal of the default ACL says to do; runs/ keeps its own ACL

        assertThatThrownBy(() -> Wiring.refuseReplaceable(state, 0)).isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("the state directory " + state + " holds " + runs + ", which is writable by the user "
                        + "4242 through its ACL")
                .hasMessageContaining("who could replace the runs' directories with theirs; nothing was changed. Run chmod 700 "
                        + runs + " (and setfacl -b " + runs + ", which removes its POSIX ACL, if it has one)");

        setfacl(runs, "-b");
        Files.setPosixFilePermissions(runs, PosixFilePermissions.fromString("rwx------"));
        Wiring.refuseReplaceable(state, 0);
    }

    @Test
    void aDefaultAclAndARunsDirectoryOthersCanWriteToAreRefusedTogether() throws Exception {
        Path runs = Files.createDirectory(state.resolve("runs"));
        Files.setPosixFilePermissions(runs, PosixFilePermissions.fromString("rwxrwxrwx"));
        setfacl(state, "-d", "-m", "u:4242:rwx");

        // both in one refusal: fixing the first would not be enough, and the second would be heard of only on the next run
        assertThatThrownBy(() -> Wiring.refuseReplaceable(state, 0)).isInstanceOf(InvalidRequestException.class)
                .satisfies(e -> assertThat(((InvalidRequestException) e).lines()).containsExactly(
                        "the state directory " + state + " is refused for 2 reasons; nothing was changed:",
                        "  it has a default POSIX ACL (getfacl " + state + ") that makes what is made in it with a wide mode "
                                + "(a runs directory made by hand or by an older swarm) writable by the user 4242, who could "
                                + "replace the runs' directories with theirs. Run setfacl -k " + state + " (it removes the "
                                + "default ACL), or point --state-dir (or SWARM_STATE_DIR) at a directory of yours that only "
                                + "you can write to",
                        "  it holds " + runs + ", which is writable by every user (root:root, mode rwxrwxrwx), who could "
                                + "replace the runs' directories with theirs. Run chmod 700 " + runs + " (and setfacl -b " + runs
                                + ", which removes its POSIX ACL, if it has one), or point --state-dir (or SWARM_STATE_DIR) at "
                                + "a directory of yours that only you can write to",
                        "Fix each of them and run swarm again, or point --state-dir (or SWARM_STATE_DIR) at a directory of "
                                + "yours that only you can write to"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(runs))).as("nothing was changed")
                .isEqualTo("rwxrwxrwx");

        // as swarm says it: both, then how to go on
        String said = StateDirRefusals.refused(tmp, state);
        assertThat(said).startsWith("swarm: the state directory " + state + " is refused for 2 reasons; nothing was changed:\n"
                + "  it has a default POSIX ACL").contains("\n  it holds " + runs + ", which is writable by every user");

        setfacl(state, "-k");
        Files.setPosixFilePermissions(runs, PosixFilePermissions.fromString("rwx------"));
        Wiring.refuseReplaceable(state, 0);
    }

    @Test
    void aWritableStateDirectoryInsideAWritableDirectoryIsRefusedForBoth() throws Exception {
        Path parent = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path inner = Files.createDirectory(parent.resolve("state"));
        Files.setPosixFilePermissions(inner, PosixFilePermissions.fromString("rwxrwxrwx"));

        assertThatThrownBy(() -> Wiring.refuseReplaceable(inner, 0)).isInstanceOf(InvalidRequestException.class)
                .satisfies(e -> assertThat(((InvalidRequestException) e).lines()).hasSize(4)
                        .contains("the state directory " + inner + " is refused for 2 reasons; nothing was changed:")
                        .anySatisfy(l -> assertThat(l).startsWith("  it is writable by every user").contains("Run chmod go-w "
                                + inner))
                        .anySatisfy(l -> assertThat(l).startsWith("  it is inside " + parent + ", which is writable by every "
                                + "user").contains("Run chmod go-w " + parent)));
    }

    @Test
    void aDefaultOtherEntryWithWriteIsRefused() throws Exception {
        setfacl(state, "-d", "-m", "o::rwx");

        assertThatThrownBy(() -> Wiring.refuseReplaceable(state, 0)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("writable by every user (its other entry)");
    }

    @Test
    void defaultEntriesThatCannotWriteAreAccepted() throws Exception {
        setfacl(state, "-d", "-m", "u:4242:r-x,g:4243:r-x");
        Wiring.refuseReplaceable(state, 0);

        setfacl(state, "-d", "-m", "u:4242:rwx,m::r-x"); // the default mask takes the write bit away
        Wiring.refuseReplaceable(state, 0);
    }
}
