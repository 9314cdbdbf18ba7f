package io.swarmflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Users and groups are looked up through NSS (what /etc/nsswitch.conf names: LDAP, sssd, systemd-homed), not read from
 * /etc/passwd and /etc/group: swarm runs in a child JVM under Debian's libnss-wrapper ({@code LD_PRELOAD}), whose
 * users and groups come from files this test writes, in place of the machine's. The uid 4242 and the gid 4243 are in
 * them and not in /etc/passwd or /etc/group; root's group has members there that /etc/group does not list.
 */
class StateDirNssTest {
    @TempDir
    Path tmp;

    Path project;
    Path state;
    Path spec;
    Path nssWrapper;

    @BeforeEach
    void project() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root: the directories are root's, of root's group");
        nssWrapper = nssWrapper(List.of(Path.of("/usr/lib"), Path.of("/usr/lib64")), "true".equals(System.getenv("CI")));
        for (String file : List.of("/etc/passwd", "/etc/group")) {
            try (Stream<String> lines = Files.lines(Path.of(file))) {
                assertThat(lines.map(l -> l.split(":", -1)).filter(f -> f.length > 2 && (f[2].equals("4242")
                        || f[2].equals("4243"))).map(f -> String.join(":", f)).toList())
                        .as("the ids this test gives only to NSS are free in %s", file).isEmpty();
            }
        }
        project = Files.createDirectory(tmp.resolve("project"));
        Files.setPosixFilePermissions(project, PosixFilePermissions.fromString("rwxrwxr-x")); // root:root, group-writable
        state = project.resolve(".swarm");
        spec = Files.writeString(tmp.resolve("s.yaml"), "tickets:\n  - {id: a, run: \"echo a\"}\n");
    }

    /**
     * The libnss_wrapper.so that libnss-wrapper installs (.ci/run does), in a directory of {@code libs} ({@code /usr/lib},
     * {@code /usr/lib64}) or one level below (the multiarch directory). When there is none, the test is skipped (an
     * assumption), as the browser tests are without chromium; under {@code ci} ({@code CI=true}) it fails instead.
     */
    static Path nssWrapper(List<Path> libs, boolean ci) throws IOException {
        for (Path lib : libs) {
            if (!Files.isDirectory(lib)) continue;
            try (Stream<Path> dirs = Files.list(lib)) {
                for (Path dir : dirs.toList()) {
                    if (Files.isRegularFile(dir.resolve("libnss_wrapper.so"))) return dir.resolve("libnss_wrapper.so");
                }
            }
            if (Files.isRegularFile(lib.resolve("libnss_wrapper.so"))) return lib.resolve("libnss_wrapper.so");
        }
        String missing = "libnss_wrapper.so not found in " + libs + ": apt-get install libnss-wrapper (.ci/run installs it)";
        if (ci) throw new AssertionError("CI=true but " + missing);
        assumeTrue(false, missing);
        throw new AssertionError("unreachable");
    }

    /** swarm run of the one-ticket spec with the state directory, seeing the users and groups {@code group} lists. */
    ChildSwarm.Result run(String group) throws Exception {
        return run("", group);
    }

    /** {@link #run(String)} with the users {@code moreUsers} (lines of /etc/passwd) after root and nssuser. */
    ChildSwarm.Result run(String moreUsers, String group) throws Exception {
        Path passwdFile = Files.writeString(tmp.resolve("passwd"),
                "root:x:0:0:root:/root:/bin/sh\nnssuser:x:4242:4243::/nonexistent:/bin/sh\n" + moreUsers);
        Path groupFile = Files.writeString(tmp.resolve("group"), group);
        return ChildSwarm.run(ChildSwarm.command(List.of(), "run", spec.toString(), "--plain", "--state-dir",
                state.toString()), Map.of("LD_PRELOAD", nssWrapper.toString(), "NSS_WRAPPER_PASSWD", passwdFile.toString(),
                "NSS_WRAPPER_GROUP", groupFile.toString(), "XDG_STATE_HOME", tmp.resolve("xdg-state").toString(),
                "XDG_CACHE_HOME", tmp.resolve("xdg-cache").toString()));
    }

    @Test
    void aMemberOfTheOwnersGroupKnownOnlyToNssMakesItShared() throws Exception {
        ChildSwarm.Result r = run("root:x:0:nssuser\nnssgroup:x:4243:\n");

        assertThat(r.exit()).as(r.output()).isEqualTo(2);
        assertThat(r.output()).contains("swarm: the state directory " + state + " is inside " + project + ", which is "
                + "writable by the users of the group root (root:root, mode rwxrwxr-x), who could rename the state directory");
        assertThat(state).doesNotExist();
    }

    @Test
    void theOwnersGroupWithTheOwnerAloneInNssIsItsPrivateGroup() throws Exception {
        ChildSwarm.Result r = run("root:x:0:root\nnssgroup:x:4243:\n");

        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(state.resolve(Wiring.DB_FILE)).exists();
    }

    @Test
    void aUserWhosePrimaryGroupIsTheOwnersPrivateGroupMakesItShared() throws Exception {
        // root's group lists root alone, but mallory's entry in the user database has it as primary group: mallory can
        // write to the directory though no group entry says so
        ChildSwarm.Result r = run("mallory:x:4244:0::/nonexistent:/bin/sh\n", "root:x:0:root\nnssgroup:x:4243:\n");

        assertThat(r.exit()).as(r.output()).isEqualTo(2);
        assertThat(r.output()).contains("swarm: the state directory " + state + " is inside " + project + ", which is "
                + "writable by the users of the group root (root:root, mode rwxrwxr-x), among them the user mallory, whose "
                + "primary group it is though the group does not list them (chgrp " + project + " to a group only you are "
                + "in, or chmod g-w " + project + "), who could rename the state directory");
        assertThat(state).doesNotExist();
    }

    @Test
    void manyUsersWithThePrivateGroupAsPrimaryAreNamedUpToThree() throws Exception {
        StringBuilder users = new StringBuilder();
        for (int i = 1; i <= 5; i++) users.append("u").append(i).append(":x:").append(4250 + i).append(":0::/:/bin/sh\n");

        ChildSwarm.Result r = run(users.toString(), "root:x:0:root\nnssgroup:x:4243:\n");

        assertThat(r.exit()).as(r.output()).isEqualTo(2);
        assertThat(r.output()).contains("among them the users u1, u2, u3 and 2 more, whose primary group it is");
    }

    @Test
    void aGroupTooLongForTheFirstBufferIsReadWhole() throws Exception {
        // 600 entries of the owner alone: the group's entry needs more than the 1 KiB tried first (ERANGE, tried again
        // with more); a group whose members could not be read would be refused as one whose members are unknown
        ChildSwarm.Result r = run("root:x:0:" + String.join(",", java.util.Collections.nCopies(600, "root"))
                + "\nnssgroup:x:4243:\n");

        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(state.resolve(Wiring.DB_FILE)).exists();
    }

    @Test
    void aclWritersKnownOnlyToNssAreNamed() throws Exception {
        Process setfacl = new ProcessBuilder("setfacl", "-m", "u:4242:rwx,g:4243:rwx", project.toString())
                .redirectErrorStream(true).start();
        String said = new String(setfacl.getInputStream().readAllBytes());
        assertThat(setfacl.waitFor()).as(said).isZero();

        ChildSwarm.Result r = run("root:x:0:\nnssgroup:x:4243:\n");

        assertThat(r.exit()).as(r.output()).isEqualTo(2);
        assertThat(r.output()).contains("swarm: the state directory " + state + " is inside " + project + ", which is "
                + "writable by the user nssuser and the group nssgroup through its ACL (root:root, mode rwxrwxr-x, with a "
                + "POSIX ACL: getfacl " + project + ")");
    }
}
