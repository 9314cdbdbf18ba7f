package io.swarmflow.cli.e2e;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

import io.swarmflow.cli.e2e.Cli.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The state directory holds the plan (with {@code --var} values and environment), logs and worktrees, which may hold
 * secrets: one that swarm creates is its owner's alone, and so is the database, whatever the umask (022 here).
 */
class StatePermissionsTest {
    @TempDir
    Path tmp;

    @Test
    void aStateDirectorySwarmCreatesAndItsDatabaseAreTheOwnersAlone() throws Exception {
        Path spec = Cli.write(tmp.resolve("s.yaml"), """
                vars: {token: none}
                tickets:
                  - {id: a, env: {TOKEN: "${{ vars.token }}"}, run: "true"}
                """);
        Path state = tmp.resolve("state");

        Result r = swarm("run", spec.toString(), "--plain", "--var", "token=s3cret", "--state-dir", state.toString());

        assertThat(r.code()).as("%s", r).isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state))).isEqualTo("rwx------");
        try (var files = Files.list(state)) {
            for (Path db : files.filter(f -> f.getFileName().toString().startsWith("swarm.db")).toList()) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(db))).as("%s", db).isEqualTo("rw-------");
            }
        }
        assertThat(state.resolve("swarm.db")).exists();
    }

    @Test
    void anExistingStateDirectoryKeepsItsMode() throws Exception {
        Path state = Files.createDirectory(tmp.resolve("shared"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-x---")));
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxr-x---")); // whatever the umask
        Path spec = Cli.write(tmp.resolve("s.yaml"), "tickets:\n  - {id: a, run: \"true\"}\n");

        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());

        assertThat(r.code()).as("%s", r).isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state))).isEqualTo("rwxr-x---");
    }

    /**
     * In a state directory that already existed with mode 0755 (made by hand for --state-dir, or checked out from a
     * repository), a run's logs, worktrees and reports were readable by every user of the host (umask 022): a run's
     * directory is its owner's alone.
     */
    @Test
    void aRunsDirectoryIsTheOwnersAloneInAStateDirectoryOthersCanRead() throws Exception {
        Path state = Files.createDirectory(tmp.resolve("srv"));
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path spec = Cli.write(tmp.resolve("s.yaml"), "tickets:\n  - {id: a, run: \"echo a log line\"}\n");

        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());

        assertThat(r.code()).as("%s", r).isZero();
        try (var runs = Files.list(state.resolve("runs"))) {
            Path run = runs.findFirst().orElseThrow();
            assertThat(run.resolve("logs").resolve("a").resolve("1").resolve("stdout.log")).hasContent("a log line");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(run))).isEqualTo("rwx------");
        }
        // made 0700 too: with a default ACL on the state directory, a runs/ made 0777 got the mask rwx
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("runs")))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state))).isEqualTo("rwxr-xr-x");
    }

    /**
     * A {@code .swarm} that is a symbolic link (committed in a repository) to a directory another user made in /tmp, mode
     * 0777: swarm used it, so that user read the plans, logs and worktrees and could change the database. Now refused
     * by every command, and nothing is written there. Root makes the directory another user's ({@code nobody}).
     */
    @Test
    void aStateDirectoryOfAnotherUserIsRefusedAndNothingIsWrittenThere() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root, to give a directory to another user");
        Path foreign = Files.createDirectory(tmp.resolve("planted"));
        Files.setPosixFilePermissions(foreign, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setAttribute(foreign, "unix:uid", 65534); // nobody
        Path link = Files.createSymbolicLink(Files.createDirectory(tmp.resolve("repo")).resolve(".swarm"), foreign);
        Path spec = Cli.write(tmp.resolve("s.yaml"), "tickets:\n  - {id: a, run: \"echo secret\"}\n");

        for (String[] command : List.of(new String[] {"run", spec.toString(), "--plain"}, new String[] {"runs"},
                new String[] {"status"})) {
            // a database the other user planted: read by the commands that read state
            if (!command[0].equals("run") && !Files.exists(foreign.resolve("swarm.db"))) Files.createFile(foreign.resolve("swarm.db"));
            List<String> args = new java.util.ArrayList<>(List.of(command));
            args.addAll(List.of("--state-dir", link.toString()));
            Result r = swarm(args.toArray(String[]::new));

            assertThat(r.code()).as("%s", r).isEqualTo(2);
            assertThat(r.err()).as("%s", r).startsWith("swarm: the state directory " + link + " (" + foreign.toRealPath()
                    + ") belongs to another user (owned by nobody, mode rwxrwxrwx)").contains("nothing was changed",
                    link + " is a symbolic link", "Point --state-dir").doesNotContain("sudo -u"); // nobody: no one to run as
        }
        try (var files = Files.list(foreign)) {
            assertThat(files.toList()).containsExactly(foreign.resolve("swarm.db"));
        }
        assertThat(foreign.resolve("swarm.db")).isEmptyFile();
        Files.delete(foreign.resolve("swarm.db"));

        Files.setAttribute(foreign, "unix:uid", 0); // root's, or the user's own: used
        Files.setPosixFilePermissions(foreign, PosixFilePermissions.fromString("rwxr-xr-x")); // others' writes: StateDirTrustTest
        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", link.toString());
        assertThat(r.code()).as("%s", r).isZero();
    }

    /**
     * {@code sudo swarm ...} in a user's project: root is refused the user's state directory by every command that opens
     * one (as root it would run what that user can write there, and leave root's files they cannot change), and told to
     * run swarm as its owner, not to take it (chown), which would lock the owner out of their runs. Nothing is changed.
     */
    @Test
    void rootIsToldToRunSwarmAsTheOwnerOfAUsersStateDirectory() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root, to give a directory to another user");
        Path spec = Cli.write(tmp.resolve("s.yaml"), "tickets:\n  - {id: a, run: \"true\"}\n");
        Path state = tmp.resolve("project").resolve(".swarm");
        assertThat(swarm("run", spec.toString(), "--plain", "--state-dir", state.toString()).code()).isZero();
        List<Path> files;
        try (var walk = Files.walk(state)) {
            files = walk.toList();
        }
        // daemon's (uid 1): a user to run as, unlike nobody (the overflow uid, which StateDirNfsTest covers)
        for (Path f : files) Files.setAttribute(f, "unix:uid", 1, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        String owner = Files.getOwner(state).getName();
        byte[] db = Files.readAllBytes(state.resolve("swarm.db"));
        String run;
        try (var runs = Files.list(state.resolve("runs"))) {
            run = runs.findFirst().orElseThrow().getFileName().toString();
        }

        for (String[] command : List.of(new String[] {"status"}, new String[] {"runs"}, new String[] {"logs", run, "a"},
                new String[] {"report"}, new String[] {"approve", run, "a"}, new String[] {"clean", run}, new String[] {"resume", run},
                new String[] {"run", spec.toString(), "--plain"})) {
            List<String> args = new java.util.ArrayList<>(List.of(command));
            args.addAll(List.of("--state-dir", state.toString()));
            Result r = swarm(args.toArray(String[]::new));

            assertThat(r.code()).as("%s", r).isEqualTo(2);
            assertThat(r.err()).as("%s", r).startsWith("swarm: the state directory " + state + " belongs to another user "
                    + "(owned by " + owner + ", mode rwx------)").contains("nothing was changed",
                    "run swarm as them: sudo -u " + (owner.equals("1") ? "'#1'" : owner) + " swarm ...").doesNotContain("chown");
        }
        try (var walk = Files.walk(state)) {
            assertThat(walk.toList()).as("nothing added or removed").containsExactlyInAnyOrderElementsOf(files);
        }
        assertThat(Files.readAllBytes(state.resolve("swarm.db"))).isEqualTo(db);
    }

    /**
     * A state directory the user cannot read (another user's, rwx------) looked empty: "no Swarmflow state in DIR". It
     * says whose it is. As root (CI), {@code swarm} runs in a child JVM without the capabilities that read any directory.
     */
    @Test
    void aStateDirectoryThatCannotBeReadSaysSoNotThatItIsEmpty() throws Exception {
        Path spec = Cli.write(tmp.resolve("s.yaml"), "tickets:\n  - {id: a, run: \"true\"}\n");
        Path state = tmp.resolve("state");
        assertThat(swarm("run", spec.toString(), "--plain", "--state-dir", state.toString()).code()).isZero();
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("---------"));
        try {
            for (String command : java.util.List.of("status", "runs")) {
                Result r = "root".equals(System.getProperty("user.name")) ? withoutDacCapabilities(command, "--state-dir", state.toString())
                        : swarm(command, "--state-dir", state.toString());

                assertThat(r.code()).as("%s", r).isEqualTo(2);
                assertThat(r.err()).as("%s", r).isEqualTo("swarm: the state directory " + state + " cannot be read by you (user "
                        + System.getProperty("user.name") + "): permission denied (owned by " + System.getProperty("user.name")
                        + ", mode ---------); run swarm as its owner, or point --state-dir (or SWARM_STATE_DIR) at a state "
                        + "directory of yours\n");
            }
        } finally {
            Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx------"));
        }
    }

    /**
     * A state directory that can be read but whose {@code runs} cannot be listed (review R6, finding 5: root's state made
     * 0755, with the runs/ swarm makes 0700, read by another user) said "java.nio.file.AccessDeniedException: .../runs".
     * It says the reason in words and whose the directory is. As root (CI), {@code swarm} runs without the capabilities
     * that read any directory. Fails without the reason (the exception's class name).
     */
    @Test
    void runsThatCannotBeListedSaysWhyInWordsWithoutAClassName() throws Exception {
        Path spec = Cli.write(tmp.resolve("s.yaml"), "tickets:\n  - {id: a, run: \"true\"}\n");
        Path state = tmp.resolve("state");
        assertThat(swarm("run", spec.toString(), "--plain", "--state-dir", state.toString()).code()).isZero();
        Path runs = state.resolve("runs");
        Files.setPosixFilePermissions(runs, PosixFilePermissions.fromString("---------"));
        try {
            Result r = "root".equals(System.getProperty("user.name")) ? withoutDacCapabilities("runs", "--state-dir", state.toString())
                    : swarm("runs", "--state-dir", state.toString());

            assertThat(r.code()).as("%s", r).isEqualTo(4);
            assertThat(r.err()).as("%s", r).startsWith("swarm: cannot read the state directory " + state + ": cannot read " + runs
                    + ": permission denied (owned by " + System.getProperty("user.name") + ", mode ---------); nothing was "
                    + "changed. Run swarm as its owner, or check its permissions").doesNotContain("Exception");
        } finally {
            Files.setPosixFilePermissions(runs, PosixFilePermissions.fromString("rwx------"));
        }
    }

    /** Runs {@code swarm} as root without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, as an ordinary user meets files. */
    private static Result withoutDacCapabilities(String... args) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("setpriv",
                "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-dac_override,-dac_read_search", "--",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                io.swarmflow.cli.SwarmCli.class.getName()));
        cmd.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out, err.get());
    }
}
