package io.swarmflow.local;

import io.swarmflow.agent.AttemptResult;
import io.swarmflow.local.Fixture.Mode;
import io.swarmflow.store.Outcome;
import io.swarmflow.spec.PlannedTicket;
import io.swarmflow.spec.SandboxPolicy;
import io.swarmflow.spec.WorkspaceMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The isolation PRODUCT.md promises, proven against real bubblewrap (and, where it applies, without it). */
class SandboxPromisesTest {
    @TempDir
    Path tmp;

    private static boolean postgresListens() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", 5432), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void ticketCannotReachTheNetworkUnlessGranted() throws Exception {
        assumeTrue(postgresListens(), "needs a listener on 127.0.0.1:5432 (PostgreSQL) to prove the network is reachable outside");
        try (Fixture f = new Fixture(tmp, Mode.BWRAP)) {
            String probe = "exec 3<>/dev/tcp/127.0.0.1/5432";
            AttemptResult denied = f.run(Fixture.ticket("net-off", probe).build(), new TestControl());
            AttemptResult granted = f.run(Fixture.ticket("net-on", probe).network(true).build(), new TestControl());

            assertThat(denied.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(granted.outcome()).isEqualTo(Outcome.SUCCEEDED);
        }
    }

    /**
     * A Unix socket on the host is a way to a service as much as a TCP port, and a read-only mount does not stop
     * connect(2): a server socket in a directory the sandbox sees (not its private /tmp) must be unreachable
     * without network, and reachable with it.
     */
    @Test
    void ticketCannotReachHostUnixSocketsUnlessGranted() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "needs /usr/bin/python3 in the sandbox to connect to a Unix socket");
        Path dir = Files.createTempDirectory(Path.of("/var/tmp"), "swarm-socket-test-");
        Path socketPath = dir.resolve("service.sock");
        try (var server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX);
             Fixture f = new Fixture(tmp, Mode.BWRAP)) {
            server.bind(java.net.UnixDomainSocketAddress.of(socketPath));
            java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
            Thread acceptor = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (true) {
                        server.accept().close();
                        accepted.incrementAndGet();
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            String probe = "/usr/bin/python3 -c \"import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])\" " + socketPath;
            TestControl deniedControl = new TestControl();
            AttemptResult denied = f.run(Fixture.ticket("sock-off", probe).build(), deniedControl);
            int afterDenied = accepted.get();
            AttemptResult granted = f.run(Fixture.ticket("sock-on", probe).network(true).build(), new TestControl());

            assertThat(denied.outcome()).as("%s", deniedControl.stderr).isEqualTo(Outcome.FAILED);
            assertThat(afterDenied).as("connections the server accepted from the sandbox without network").isZero();
            assertThat(granted.outcome()).as("%s", granted.reason()).isEqualTo(Outcome.SUCCEEDED);
            await().atMost(java.time.Duration.ofSeconds(5)).until(() -> accepted.get() == 1);
            server.close();
            acceptor.join(5000);
        } finally {
            Files.deleteIfExists(socketPath);
            Files.deleteIfExists(dir);
        }
    }

    /**
     * Sockets the table names awkwardly are covered too: names with a newline or a space at the end (the kernel prints
     * them byte for byte), and a socket reached through a bind mount of its directory (the table names only the path
     * it was bound to). Needs root, for the bind mount.
     */
    @Test
    void oddlyNamedAndBindMountedHostSocketsAreCoveredToo() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "needs /usr/bin/python3 in the sandbox to connect to a Unix socket");
        Path dir = Files.createTempDirectory(Path.of("/var/tmp"), "swarm-socket-test-");
        Path real = Files.createDirectory(dir.resolve("real"));
        Path alias = Files.createDirectory(dir.resolve("alias"));
        List<java.nio.channels.ServerSocketChannel> servers = new java.util.ArrayList<>();
        boolean mounted = false;
        try (Fixture f = new Fixture(tmp, Mode.BWRAP)) {
            for (String name : List.of("plain.sock", "trailing ", "new\nline")) {
                var server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX);
                servers.add(server);
                server.bind(java.net.UnixDomainSocketAddress.of(real.resolve(name)));
            }
            mounted = new ProcessBuilder("mount", "--bind", real.toString(), alias.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
            assumeTrue(mounted, "needs to make a bind mount (root)");
            String probe = """
                    /usr/bin/python3 -c '
                    import os, socket, sys
                    for d in sys.argv[1:]:
                        for n in sorted(os.listdir(d)):
                            s = socket.socket(socket.AF_UNIX)
                            try:
                                s.connect(os.path.join(d, n)); print("connected", repr(os.path.join(d, n)))
                            except OSError:
                                pass
                    ' %s %s""".formatted(real, alias);
            TestControl denied = new TestControl();
            AttemptResult deniedResult = f.run(Fixture.ticket("sock-off", probe).build(), denied);
            TestControl granted = new TestControl();
            AttemptResult grantedResult = f.run(Fixture.ticket("sock-on", probe).network(true).build(), granted);

            assertThat(deniedResult.outcome()).as("%s", denied.stderr).isEqualTo(Outcome.SUCCEEDED);
            assertThat(denied.stdout).as("sockets reached without network").isEmpty();
            assertThat(grantedResult.outcome()).as("%s", granted.stderr).isEqualTo(Outcome.SUCCEEDED);
            assertThat(granted.stdout).as("the probe reaches every socket with network").hasSize(6);
        } finally {
            for (var server : servers) server.close();
            if (mounted) new ProcessBuilder("umount", alias.toString()).start().waitFor();
            try (var files = Files.list(real)) {
                for (Path p : files.toList()) Files.deleteIfExists(p);
            }
            Files.deleteIfExists(real);
            Files.deleteIfExists(alias);
            Files.deleteIfExists(dir);
        }
    }

    /** Run as root, a ticket would keep every capability without --cap-drop, and could remount / writable. */
    @Test
    void ticketHasNoCapabilitiesAndCannotRemountTheRootWritable() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.BWRAP)) {
            String name = "swarm-" + UUID.randomUUID();
            TestControl control = new TestControl();
            AttemptResult result = f.run(Fixture.ticket("caps", """
                    grep '^CapEff' /proc/self/status
                    mount -o remount,rw / 2>/dev/null && echo "remounted"
                    umount -l /run 2>/dev/null && echo "unmounted"
                    touch /etc/%s 2>/dev/null && echo "wrote /etc"
                    true""".formatted(name)).build(), control);

            try {
                assertThat(result.outcome()).as("%s", control.stderr).isEqualTo(Outcome.SUCCEEDED);
                assertThat(control.stdout).containsExactly("CapEff:\t0000000000000000");
                assertThat(Path.of("/etc", name)).doesNotExist();
            } finally {
                Files.deleteIfExists(Path.of("/etc", name)); // should the promise ever break, leave the host clean
            }
        }
    }

    /**
     * Sysctls are guarded by file modes, not capabilities: run as root, a ticket could set kernel.core_pattern to a
     * script of its own, which the kernel runs as root outside the sandbox at the next crash. The probe writes back
     * the value it read, so the host is unchanged even where the promise breaks; as another user the writes are
     * refused by the file modes anyway, and the mount table says read-only either way.
     */
    @Test
    void ticketCannotChangeKernelSettings() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.BWRAP)) {
            TestControl control = new TestControl();
            AttemptResult result = f.run(Fixture.ticket("sysctl", """
                    for f in /proc/sys/vm/swappiness /proc/sys/kernel/core_pattern; do
                      v=$(cat "$f"); (printf '%s\\n' "$v" > "$f") 2>/dev/null && echo "wrote $f"
                    done
                    [ -e /proc/sysrq-trigger ] && [ -w /proc/sysrq-trigger ] && echo "sysrq-trigger writable"
                    awk '$5 == "/proc/sys" { split($6, o, ","); print "/proc/sys mounted " o[1] }' /proc/self/mountinfo
                    true""").build(), control);

            assertThat(result.outcome()).as("%s", control.stderr).isEqualTo(Outcome.SUCCEEDED);
            assertThat(control.stdout).containsExactly("/proc/sys mounted ro");
        }
    }

    /**
     * The profile's process limit holds for root too (the kernel does not apply RLIMIT_NPROC to root; a cgroup
     * per attempt does): a fork loop stops at the limit instead of filling the host's process table.
     */
    @Test
    void ticketCannotStartMoreProcessesThanItsLimitEvenAsRoot() throws Exception {
        assumeTrue(io.swarmflow.sandbox.PidsCgroupAccess.usable(), "needs a writable cgroup v1 pids hierarchy (root here)");
        try (Fixture f = new Fixture(tmp, Mode.BWRAP)) {
            TestControl control = new TestControl();
            io.swarmflow.spec.ResourceLimits d = io.swarmflow.spec.ResourceLimits.DEFAULTS;
            var limits = new io.swarmflow.spec.ResourceLimits(d.cpuSeconds(), d.addressSpaceBytes(), d.fileSizeBytes(), 16, d.logBytes(),
                    d.tmpBytes());
            AttemptResult result = f.run(Fixture.profile("shell", io.swarmflow.spec.SandboxPolicy.REQUIRED, limits, 0),
                    Fixture.ticket("forks", """
                            /bin/dash -c 'for i in $(seq 100); do sleep 5 & echo "$i"; done' 2>/dev/null || echo "dash exited $?"
                            """).build(), control); // dash gives up at the first failed fork (bash would retry for half a minute)

            assertThat(result.outcome()).as("%s %s", result, control.stderr).isEqualTo(Outcome.SUCCEEDED);
            assertThat(control.stdout).last().isEqualTo("dash exited 2");
            // 16 = the ticket's bash, dash and 14 sleeps; bubblewrap's own two processes do not count
            assertThat(control.stdout.size() - 1).as("sleeps started before a fork failed").isEqualTo(14);
        }
    }

    /** Run as root, a ticket could read what root reads; it gets no byte of the host's password hashes and private keys. */
    @Test
    void ticketCannotReadTheHostsCredentialFilesEvenAsRoot() throws Exception {
        Path shadow = Path.of("/etc/shadow");
        assumeTrue(Files.isReadable(shadow) && Files.size(shadow) > 0, "needs a non-empty /etc/shadow this JVM can read (root)");
        try (Fixture f = new Fixture(tmp, Mode.BWRAP)) {
            TestControl control = new TestControl();
            AttemptResult result = f.run(Fixture.ticket("shadow", """
                    echo "shadow $(cat /etc/shadow 2>/dev/null | wc -c)"
                    [ -d /etc/ssl/private ] && echo "ssl/private $(ls -A /etc/ssl/private | wc -l)"
                    for f in /etc/shadow- /etc/gshadow /etc/gshadow- /etc/ssh/ssh_host_*_key; do
                      [ -e "$f" ] && echo "$f $(cat "$f" 2>/dev/null | wc -c)"
                    done
                    true""").build(), control);

            assertThat(result.outcome()).as("%s", control.stderr).isEqualTo(Outcome.SUCCEEDED);
            assertThat(control.stdout).first().isEqualTo("shadow 0");
            assertThat(control.stdout).allMatch(line -> line.endsWith(" 0"));
            // docs/sandbox.md: also /etc/gshadow, the '-' backups and the SSH host keys, where this host has them
            List<String> covered = new java.util.ArrayList<>(List.of("/etc/shadow-", "/etc/gshadow", "/etc/gshadow-"));
            if (Files.isDirectory(Path.of("/etc/ssh"))) {
                try (java.nio.file.DirectoryStream<Path> keys = Files.newDirectoryStream(Path.of("/etc/ssh"), "ssh_host_*_key")) {
                    for (Path k : keys) covered.add(k.toString());
                }
            }
            for (String file : covered) {
                Path p = Path.of(file);
                if (Files.isRegularFile(p) && Files.isReadable(p) && Files.size(p) > 0) assertThat(control.stdout).contains(file + " 0");
            }
        }
    }

    /** Another state directory where runs usually keep it (the repository's .swarm) is hidden too. */
    @Test
    void otherRunsStateInTheRepositoryIsHidden() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.BWRAP)) {
            Files.createDirectories(f.repo.resolve(".swarm"));
            Files.writeString(f.repo.resolve(".swarm/swarm.db"), "another run's outputs");
            // a run started in a subdirectory keeps its state there
            Files.createDirectories(f.repo.resolve("sub/deeper/.swarm/runs/r/scratch"));
            Files.writeString(f.repo.resolve("sub/deeper/.swarm/runs/r/scratch/secret.txt"), "another run's scratch");
            TestControl control = new TestControl();
            AttemptResult result = f.run(Fixture.ticket("peek", """
                    ls -A .swarm sub/deeper/.swarm
                    cat .swarm/swarm.db 2>/dev/null || echo hidden
                    cat sub/deeper/.swarm/runs/r/scratch/secret.txt 2>/dev/null || echo hidden too""")
                    .workspace(WorkspaceMode.REPO).build(), control);

            assertThat(result.outcome()).as("%s", control.stderr).isEqualTo(Outcome.SUCCEEDED);
            assertThat(control.stdout).containsExactly(".swarm:", "", "sub/deeper/.swarm:", "hidden", "hidden too");
        }
    }

    /**
     * A state directory outside the repository and the home (`--state-dir /srv/swarm`) was readable by the tickets of
     * every other run: the user's list of state directories names it, and the others' sandboxes hide it. Outside
     * /tmp, which every sandbox replaces anyway.
     */
    @Test
    void otherRunsStateElsewhereIsHiddenOnceListed() throws Exception {
        Path outside = Files.createTempDirectory(Path.of("/var/tmp"), "swarm-state-test-");
        Path list = tmp.resolve("list/state-dirs");
        try (Fixture first = new Fixture(outside.resolve("first"), Mode.BWRAP, list);
             Fixture second = new Fixture(outside.resolve("second"), Mode.BWRAP, list)) {
            Files.writeString(first.state.resolve("swarm.db"), "the first run's variables");
            succeeds(first, "one", "true");

            assertThat(succeeds(second, "peek", peek(first.state))).containsExactly("hidden");
            assertThat(second.warnings).isEmpty();
        } finally {
            io.swarmflow.files.FileTrees.delete(outside);
        }
    }

    /**
     * A state directory inside another run's repository not named .swarm (`--state-dir ci-state` in a checkout under /tmp
     * or a home) was readable by that run's tickets: the repository walk finds only .swarm directories, and the listed
     * ones under /tmp or a home were left out as hidden anyway, but the sandbox binds the repository back over those, and
     * the state directory with it: its swarm.db, logs and scratch files. In every workspace, since every ticket is shown
     * the repository; and the PATH check before a run counts it among the hidden ones.
     */
    @ParameterizedTest
    @EnumSource(WorkspaceMode.class)
    void aListedStateDirectoryInTheRepositoryUnderTmpIsHidden(WorkspaceMode workspace) throws Exception {
        Path list = tmp.resolve("list/state-dirs");
        try (Fixture second = new Fixture(tmp.resolve("second"), Mode.BWRAP, list)) {
            Path ciState = second.repo.resolve("ci-state");
            try (Fixture first = new Fixture(tmp.resolve("first"), Mode.BWRAP, list, Duration.ofMillis(500), ciState)) {
                assertThat(peekAtCiState(first, second, workspace)).containsExactly("hidden", "hidden too");
                assertThat(second.warnings).isEmpty();
                assertThat(second.executor.hiddenStateDirs(second.plan(Fixture.shell(SandboxPolicy.BEST_EFFORT),
                        Fixture.ticket("t", "true").workspace(workspace).build()))).as("the PATH check's").contains(ciState.toRealPath());
            }
        }
    }

    /** The same with the repository under the home (a checkout in ~/src), outside /tmp. */
    @Test
    void aListedStateDirectoryInTheRepositoryUnderTheHomeIsHidden() throws Exception {
        String before = System.getProperty("user.home");
        Path home = Files.createTempDirectory(Path.of("/var/tmp"), "swarm-home-test-").toRealPath();
        Path list = tmp.resolve("list/state-dirs");
        try (Fixture second = new Fixture(home.resolve("src"), Mode.BWRAP, list);
             Fixture first = new Fixture(tmp.resolve("first"), Mode.BWRAP, list, Duration.ofMillis(500), second.repo.resolve("ci-state"))) {
            System.setProperty("user.home", home.toString()); // after the fixtures: JNA keeps its cache in the real home
            assertThat(peekAtCiState(first, second, WorkspaceMode.REPO)).containsExactly("hidden", "hidden too");
            assertThat(second.warnings).isEmpty();
        } finally {
            System.setProperty("user.home", before);
            io.swarmflow.files.FileTrees.delete(home);
        }
    }

    /**
     * {@code HOME=/} (a container's arbitrary uid, a service account): the sandbox hides no home at {@code /}, so a listed
     * state directory is not "hidden anyway" below it (a review: every listed directory was left in view).
     */
    @Test
    void aHomeAtTheRootLeavesNoListedStateDirectoryInView() throws Exception {
        String before = System.getProperty("user.home");
        Path outside = Files.createTempDirectory(Path.of("/var/tmp"), "swarm-state-test-");
        Path list = tmp.resolve("list/state-dirs");
        try (Fixture first = new Fixture(outside.resolve("first"), Mode.BWRAP, list);
             Fixture second = new Fixture(tmp.resolve("second"), Mode.BWRAP, list)) {
            Files.writeString(first.state.resolve("swarm.db"), "the first run's variables");
            succeeds(first, "one", "true");
            System.setProperty("user.home", "/"); // after the fixtures: JNA keeps its cache in the real home
            TestControl control = new TestControl();
            AttemptResult result = second.run(Fixture.ticket("peek", "cat " + first.state + "/swarm.db 2>/dev/null || echo hidden")
                    .build(), control);
            assertThat(result.outcome()).as("%s %s", result.reason(), control.stderr).isEqualTo(Outcome.SUCCEEDED);
            assertThat(control.stdout).containsExactly("hidden");
        } finally {
            System.setProperty("user.home", before);
            io.swarmflow.files.FileTrees.delete(outside);
        }
    }

    /**
     * Runs a ticket of {@code first}, whose state directory lies in {@code second}'s repository, leaving a swarm.db and a
     * scratch file there, then a ticket of {@code second} in {@code workspace} that looks at them: the lines it printed.
     */
    private static List<String> peekAtCiState(Fixture first, Fixture second, WorkspaceMode workspace) throws Exception {
        Files.writeString(first.state.resolve("swarm.db"), "the first run's variables");
        succeeds(first, "one", "echo the first run scratch > \"$SWARM_SCRATCH/secret.txt\"");
        assertThat(first.runDir.resolve("scratch/secret.txt")).exists();
        TestControl control = new TestControl();
        AttemptResult result = second.run(Fixture.ticket("peek", "ls -A " + first.state + "; cat " + first.state
                + "/swarm.db 2>/dev/null || echo hidden; cat " + first.runDir.resolve("scratch/secret.txt")
                + " 2>/dev/null || echo hidden too").workspace(workspace).build(), control);
        assertThat(result.outcome()).as("%s %s", result.reason(), control.stderr).isEqualTo(Outcome.SUCCEEDED);
        return control.stdout;
    }

    /**
     * Two runs at once: the one whose first attempt came first read the list before the other was on it, and its later
     * tickets must not see the other's state either. The list is read again for every attempt.
     */
    @Test
    void aRunHidesTheStateOfARunListedAfterItsFirstAttempt() throws Exception {
        Path outside = Files.createTempDirectory(Path.of("/var/tmp"), "swarm-state-test-");
        Path list = tmp.resolve("list/state-dirs");
        try (Fixture first = new Fixture(outside.resolve("first"), Mode.BWRAP, list);
             Fixture second = new Fixture(outside.resolve("second"), Mode.BWRAP, list)) {
            succeeds(first, "one", "true");
            Files.writeString(second.state.resolve("swarm.db"), "the second run's variables");
            succeeds(second, "two", "true");

            assertThat(succeeds(first, "peek", peek(second.state))).containsExactly("hidden");
            assertThat(first.warnings).isEmpty();
        } finally {
            io.swarmflow.files.FileTrees.delete(outside);
        }
    }

    /**
     * A run's state directory is listed when the run starts, not at its first attempt: a run whose first ticket waits
     * (for an approval, or for the runs before it in the same process) was readable by the other runs' tickets until then.
     */
    @Test
    void aRunIsHiddenFromItsStartNotFromItsFirstAttempt() throws Exception {
        Path outside = Files.createTempDirectory(Path.of("/var/tmp"), "swarm-state-test-");
        Path list = tmp.resolve("list/state-dirs");
        try (Fixture waiting = new Fixture(outside.resolve("waiting"), Mode.BWRAP, list);
             Fixture other = new Fixture(outside.resolve("other"), Mode.BWRAP, list)) {
            Files.writeString(waiting.state.resolve("swarm.db"), "the waiting run's variables");
            waiting.executor.prepareRun("r1", waiting.plan(Fixture.shell(SandboxPolicy.BEST_EFFORT),
                    Fixture.ticket("gated", "true").build()), waiting.runDir);

            assertThat(succeeds(other, "peek", peek(waiting.state))).containsExactly("hidden");
            assertThat(other.warnings).isEmpty();
        } finally {
            io.swarmflow.files.FileTrees.delete(outside);
        }
    }

    /** Runs a ticket of {@code script} in {@code f}, which must succeed, and returns the lines it printed. */
    private static List<String> succeeds(Fixture f, String id, String script) throws InterruptedException {
        TestControl control = new TestControl();
        AttemptResult result = f.run(Fixture.ticket(id, script).build(), control);
        assertThat(result.outcome()).as("%s", control.stderr).isEqualTo(Outcome.SUCCEEDED);
        return control.stdout;
    }

    /** A script listing {@code state} and printing its swarm.db, or {@code hidden} when it cannot. */
    private static String peek(Path state) {
        return "ls -A " + state + "; cat " + state + "/swarm.db 2>/dev/null || echo hidden";
    }

    /**
     * {@code count} state directories {@code outside/s0} ... made, each holding a {@code swarm.db} that reads
     * "run N", as entries of the list of state directories (each path ended by a NUL byte), oldest first.
     */
    private static StringBuilder stateDirs(Path outside, int count) throws java.io.IOException {
        StringBuilder entries = new StringBuilder();
        for (int i = 0; i < count; i++) {
            Path state = Files.createDirectories(outside.resolve("s" + i));
            Files.writeString(state.resolve("swarm.db"), "run " + i);
            entries.append(state).append('\0');
        }
        return entries;
    }

    /**
     * A long list (a CI runner keeping old checkouts) must not slow every launch down, each hidden directory being a
     * mount of its own: the 32 registered last are hidden, the older ones are not, and the run says so once.
     */
    @Test
    void aLongListHidesTheStateDirectoriesUsedLastAndSaysSo() throws Exception {
        Path outside = Files.createTempDirectory(Path.of("/var/tmp"), "swarm-state-test-").toRealPath();
        Path list = tmp.resolve("list/state-dirs");
        int listed = LocalExecutor.MAX_HIDDEN_STATE_DIRS + 3;
        try (Fixture f = new Fixture(tmp.resolve("f"), Mode.BWRAP, list)) {
            StringBuilder entries = stateDirs(outside, listed);
            Files.createDirectories(list.getParent());
            Files.writeString(list, entries);
            String script = "for i in $(seq 0 " + (listed - 1) + "); do cat " + outside + "/s$i/swarm.db 2>/dev/null && echo || echo hidden; done";

            for (String id : List.of("peek", "again")) {
                TestControl control = new TestControl();
                assertThat(f.run(Fixture.ticket(id, script).build(), control).outcome()).as("%s", control.stderr)
                        .isEqualTo(Outcome.SUCCEEDED);
                assertThat(control.stdout.subList(0, 3)).as("the oldest").containsExactly("run 0", "run 1", "run 2");
                assertThat(control.stdout.subList(3, listed)).as("the ones used last").containsOnly("hidden")
                        .hasSize(LocalExecutor.MAX_HIDDEN_STATE_DIRS);
            }
            assertThat(f.warnings).singleElement().asString().isEqualTo(list + " lists " + listed + " other state directories "
                    + "outside your home; this run's tickets do not see the " + LocalExecutor.MAX_HIDDEN_STATE_DIRS + " used last, but can "
                    + "read the 3 others (each hidden "
                    + "directory costs every sandboxed launch a mount); delete the state directories you no longer need");
        } finally {
            io.swarmflow.files.FileTrees.delete(outside);
        }
    }

    /**
     * Listed directories that are no longer state directories (their swarm.db and runs/ deleted, the directory kept) take
     * no slot among the 32 hidden, and the warning does not count them: the cap was applied before they were left out,
     * so five of them registered last left five more state directories readable, and the warning said eight.
     */
    @Test
    void listedDirectoriesThatAreNoLongerStateDirectoriesTakeNoSlot() throws Exception {
        Path outside = Files.createTempDirectory(Path.of("/var/tmp"), "swarm-state-test-").toRealPath();
        Path list = tmp.resolve("list/state-dirs");
        int states = LocalExecutor.MAX_HIDDEN_STATE_DIRS + 3;
        try (Fixture f = new Fixture(tmp.resolve("f"), Mode.BWRAP, list)) {
            StringBuilder entries = stateDirs(outside, states);
            for (int i = 0; i < 5; i++) entries.append(Files.createDirectories(outside.resolve("emptied" + i))).append('\0');
            Files.createDirectories(list.getParent());
            Files.writeString(list, entries);
            String script = "for i in $(seq 0 " + (states - 1) + "); do cat " + outside + "/s$i/swarm.db 2>/dev/null && echo || echo hidden; done";

            TestControl control = new TestControl();
            assertThat(f.run(Fixture.ticket("peek", script).build(), control).outcome()).as("%s", control.stderr)
                    .isEqualTo(Outcome.SUCCEEDED);

            assertThat(control.stdout.subList(0, 3)).as("the oldest").containsExactly("run 0", "run 1", "run 2");
            assertThat(control.stdout.subList(3, states)).as("the ones used last").containsOnly("hidden")
                    .hasSize(LocalExecutor.MAX_HIDDEN_STATE_DIRS);
            assertThat(f.warnings).singleElement().asString().startsWith(list + " lists " + states + " other state directories "
                    + "outside your home; this run's tickets do not see the " + LocalExecutor.MAX_HIDDEN_STATE_DIRS + " used last, but can "
                    + "read the 3 others");
        } finally {
            io.swarmflow.files.FileTrees.delete(outside);
        }
    }

    /**
     * A listed state directory that holds a directory of the ticket's PATH (a state directory kept in /opt/tools, next
     * to its bin/) was left readable to the ticket, with a warning, so that its programs stayed: a spec naming such a
     * PATH read another run's swarm.db and logs. The plan is refused before its run starts (preflight, which run,
     * validate and resume go through), naming the ticket, the PATH entry and the state directory; a PATH that names one
     * only at the attempt (another ticket's output, a run listed since) loses those programs, not the state's secrecy.
     */
    @Test
    void aPathIntoAListedStateDirectoryIsRefusedBeforeTheRunAndHiddenAtTheAttempt() throws Exception {
        Path outside = Files.createTempDirectory(Path.of("/var/tmp"), "swarm-state-test-").toRealPath();
        Path list = tmp.resolve("list/state-dirs");
        try (Fixture f = new Fixture(tmp.resolve("f"), Mode.BWRAP, list)) {
            Path tools = Files.createDirectories(outside.resolve("tools"));
            Files.writeString(tools.resolve("swarm.db"), "another run's variables");
            Path bin = Files.createDirectories(tools.resolve("bin"));
            Files.writeString(bin.resolve("tool"), "#!/bin/sh\necho the tool ran\n");
            Files.setPosixFilePermissions(bin.resolve("tool"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.createDirectories(list.getParent());
            Files.writeString(list, tools + "\0");
            PlannedTicket ticket = Fixture.ticket("one", "tool 2>/dev/null || echo gone; cat " + tools + "/swarm.db 2>/dev/null || echo hidden")
                    .env("PATH", bin + ":/usr/bin:/bin").build();

            assertThat(f.executor.preflight(f.plan(Fixture.shell(SandboxPolicy.BEST_EFFORT), ticket))).containsExactly(
                    "ticket one: its PATH names " + bin + ", inside the state directory " + tools + ", which the sandbox hides "
                            + "from the ticket (leaving it shown would let the ticket read that state's swarm.db and logs); put "
                            + "the ticket's programs outside every state directory and set PATH to there, or, when " + tools
                            + " is no longer needed, delete it or remove it from your list of state directories "
                            + "($XDG_STATE_HOME/swarmflow/state-dirs, by default ~/.local/state/swarmflow/state-dirs)");
            // sandbox: off hides nothing, so there is nothing to refuse
            assertThat(f.executor.preflight(f.plan(Fixture.shell(SandboxPolicy.OFF), ticket))).isEmpty();

            TestControl control = new TestControl();
            f.run(ticket, control);
            assertThat(control.stdout).as("%s", control.stderr).containsExactly("gone", "hidden");
            assertThat(f.warnings).singleElement().asString().startsWith("the PATH of ticket one holds " + bin + ", which lies in "
                    + tools + " (a Swarmflow state directory)");
        } finally {
            io.swarmflow.files.FileTrees.delete(outside);
        }
    }

    /** The PATH the rule checks when a ticket sets none is the one the sandbox gives (two constants: sandbox uses no spec class). */
    @Test
    void theRuleAndTheSandboxHaveTheSameDefaultPath() {
        assertThat(io.swarmflow.spec.StatePaths.DEFAULT_PATH).isEqualTo(io.swarmflow.sandbox.Sandbox.DEFAULT_PATH);
    }

    /**
     * A listed state directory deleted after the attempt checked it and before bubblewrap mounted over it made the launch
     * fail ("bwrap: Can't mkdir DIR: Read-only file system"), though nothing was left to hide. The attempt is launched
     * once more, without it. A stand-in bwrap deletes the directory at its first launch, then runs the real one.
     */
    @Test
    void aListedStateDirectoryDeletedJustBeforeTheLaunchDoesNotFailTheAttempt() throws Exception {
        Path outside = Files.createTempDirectory(Path.of("/var/tmp"), "swarm-state-test-").toRealPath();
        Path list = tmp.resolve("list/state-dirs");
        try (Fixture f = new Fixture(tmp.resolve("f"), Mode.BWRAP, list)) {
            Path gone = Files.createDirectories(outside.resolve("gone"));
            Files.writeString(gone.resolve("swarm.db"), "another run's variables");
            Files.createDirectories(list.getParent());
            Files.writeString(list, gone + "\0");
            io.swarmflow.sandbox.Bubblewrap.Status real = io.swarmflow.sandbox.Bubblewrap.probe();
            Path fake = Files.createDirectories(tmp.resolve("fake")).resolve("bwrap");
            Files.writeString(fake, "#!/bin/sh\nif [ ! -e " + tmp.resolve("fake/launched") + " ]; then touch " + tmp.resolve("fake/launched")
                    + "; rm -rf " + gone + "; fi\nexec " + real.path() + " \"$@\"\n");
            Files.setPosixFilePermissions(fake, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            PlannedTicket ticket = Fixture.ticket("one", "echo ran").build();
            TestControl control = new TestControl();
            AttemptResult result;
            try (LocalExecutor executor = new LocalExecutor(new LocalExecutor.Options(f.state, f.warnings::add, Duration.ofMillis(500),
                    new io.swarmflow.sandbox.Bubblewrap.Status(true, fake.toString(), real.version(), null), list))) {
                result = executor.execute(f.request(f.plan(Fixture.shell(SandboxPolicy.REQUIRED), ticket), ticket, 1), control);
            }

            assertThat(tmp.resolve("fake/launched")).exists();
            assertThat(result.outcome()).as("%s %s", result.reason(), control.stderr).isEqualTo(Outcome.SUCCEEDED);
            assertThat(control.stdout).containsExactly("ran");
            assertThat(f.runDir.resolve("logs/one/1/stderr.log")).as("bubblewrap's error is not the attempt's").doesNotExist();
            assertThat(control.stderr).as("nor is it shown live").isEmpty();
            assertThat(f.runDir.resolve("logs/one/1/stdout.log")).hasContent("ran");
        } finally {
            io.swarmflow.files.FileTrees.delete(outside);
        }
    }

    /**
     * A host Unix socket listed in /proc/net/unix and deleted before bubblewrap mounted /dev/null over it (a test or service
     * binding and removing sockets under /var/tmp) made bubblewrap fail ("bwrap: Can't create file at SOCKET", or "Can't
     * mkdir parents for SOCKET" with its directory gone too), and the attempt failed with exit 1, using up a retry. The
     * attempt is launched once more, without the socket, which is no longer there to reach. A stand-in bwrap deletes the
     * socket (or its directory) at its first launch, then runs the real one: the argv was built with the socket in it.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void aHostSocketDeletedJustBeforeTheLaunchDoesNotFailTheAttempt(boolean withItsDirectory) throws Exception {
        Path outside = Files.createTempDirectory(Path.of("/var/tmp"), "swarm-socket-test-").toRealPath();
        try (Fixture f = new Fixture(tmp.resolve("f"), Mode.BWRAP);
             java.nio.channels.ServerSocketChannel server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            Path dir = Files.createDirectories(outside.resolve("sockets"));
            Path socket = dir.resolve("app.sock");
            server.bind(java.net.UnixDomainSocketAddress.of(socket)); // bound, and so listed, until the channel closes
            io.swarmflow.sandbox.Bubblewrap.Status real = io.swarmflow.sandbox.Bubblewrap.probe();
            Path fake = Files.createDirectories(tmp.resolve("fake")).resolve("bwrap");
            Path launched = tmp.resolve("fake/launched");
            Files.writeString(fake, "#!/bin/sh\necho \"$*\" >> " + launched + "\nif [ ! -e " + tmp.resolve("fake/once") + " ]; then touch "
                    + tmp.resolve("fake/once") + "; rm -rf " + (withItsDirectory ? dir : socket) + "; fi\nexec " + real.path() + " \"$@\"\n");
            Files.setPosixFilePermissions(fake, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            PlannedTicket ticket = Fixture.ticket("one", "echo ran").build();
            TestControl control = new TestControl();
            AttemptResult result;
            try (LocalExecutor executor = new LocalExecutor(new LocalExecutor.Options(f.state, f.warnings::add, Duration.ofMillis(500),
                    new io.swarmflow.sandbox.Bubblewrap.Status(true, fake.toString(), real.version(), null), tmp.resolve("state-dirs")))) {
                result = executor.execute(f.request(f.plan(Fixture.shell(SandboxPolicy.REQUIRED), ticket), ticket, 1), control);
            }

            assertThat(result.outcome()).as("%s %s", result.reason(), control.stderr).isEqualTo(Outcome.SUCCEEDED);
            List<String> launches = Files.readAllLines(launched);
            assertThat(launches).as("launched twice").hasSize(2);
            assertThat(launches.getFirst()).as("the first launch covered the socket").contains("--ro-bind /dev/null " + socket + " ");
            assertThat(launches.getLast()).as("the second did not").doesNotContain(socket.toString());
            assertThat(control.stdout).containsExactly("ran");
            assertThat(f.runDir.resolve("logs/one/1/stderr.log")).as("bubblewrap's error is not the attempt's").doesNotExist();
            assertThat(control.stderr).as("nor is it shown live").isEmpty();
        } finally {
            io.swarmflow.files.FileTrees.delete(outside);
        }
    }

    /**
     * The second launch is for bubblewrap's own failure over a directory the attempt hid: a script that ends the same way
     * (its own bubblewrap, which gets "Can't mkdir" for any new mount point on the read-only root, or an echo) for a
     * directory the attempt did not hide has run, and is not run again.
     */
    @Test
    void aScriptEndingWithBubblewrapsLineForADirectoryItDidNotHideRunsOnce() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.BWRAP)) {
            TestControl control = new TestControl();
            AttemptResult result = f.run(Fixture.ticket("once", """
                    echo ran >> "$SWARM_SCRATCH/runs"
                    echo "bwrap: Can't mkdir /no-such-dir-of-swarmflow-tests: Read-only file system" >&2
                    exit 1""").build(), control);

            assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(f.runDir.resolve("scratch/runs")).as("the script ran once").hasContent("ran");
            assertThat(control.stderr).as("its line, held back until the launch was known to be kept, is shown")
                    .containsExactly("bwrap: Can't mkdir /no-such-dir-of-swarmflow-tests: Read-only file system");
        }
    }

    /**
     * A listed directory that is no longer a state directory is not hidden: here a directory above it was replaced by a
     * link (moved to another disk, or a name reused), so the listed path now leads into a directory of tools the ticket
     * runs; hiding it there would take them away (or, through a link to /usr, every program).
     */
    @Test
    void aListedPathThatNowLeadsElsewhereIsNotHidden() throws Exception {
        Path outside = Files.createTempDirectory(Path.of("/var/tmp"), "swarm-state-test-").toRealPath();
        Path list = tmp.resolve("list/state-dirs");
        try (Fixture f = new Fixture(tmp.resolve("f"), Mode.BWRAP, list)) {
            Path tools = Files.createDirectories(outside.resolve("opt/state"));
            Files.writeString(tools.resolve("tool.sh"), "echo the tool ran\n");
            Files.createSymbolicLink(outside.resolve("old"), outside.resolve("opt"));
            Files.createDirectories(list.getParent());
            Files.writeString(list, outside.resolve("old/state") + "\0");
            TestControl control = new TestControl();
            AttemptResult result = f.run(Fixture.ticket("tool", "bash " + tools.resolve("tool.sh")).build(), control);

            assertThat(result.outcome()).as("%s", control.stderr).isEqualTo(Outcome.SUCCEEDED);
            assertThat(control.stdout).containsExactly("the tool ran");
        } finally {
            io.swarmflow.files.FileTrees.delete(outside);
        }
    }

    /**
     * Another run's state directory in the repository is found once, at the run's first attempt; deleted afterwards
     * (`rm -rf sub/.swarm`), it must not be mounted over any more: bubblewrap cannot make the mount point on the
     * read-only repository, and every later attempt failed with "Can't mkdir ...: Read-only file system".
     */
    @Test
    void anotherRunsStateInTheRepositoryDeletedDuringTheRunIsNotMountedOver() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.BWRAP)) {
            Path other = Files.createDirectories(f.repo.resolve("sub/.swarm/runs"));
            TestControl first = new TestControl();
            assertThat(f.run(Fixture.ticket("one", "ls -A " + other.getParent()).build(), first).outcome()).as("%s", first.stderr)
                    .isEqualTo(Outcome.SUCCEEDED);
            assertThat(first.stdout).as("hidden").isEmpty();
            io.swarmflow.files.FileTrees.delete(other.getParent());

            TestControl control = new TestControl();
            AttemptResult result = f.run(Fixture.ticket("two", "ls " + f.repo.resolve("sub")).build(), control);

            assertThat(result.outcome()).as("%s %s", result.reason(), control.stderr).isEqualTo(Outcome.SUCCEEDED);
        }
    }

    /**
     * The PATH guard that keeps a listed state directory holding a PATH directory visible does not apply to the home
     * or a repository's .swarm: hiding them is what keeps their files from the tickets. A ticket whose PATH holds
     * $HOME/.local/bin (or a directory in .swarm) found its commands gone (exit 127) with nothing saying why; the
     * directory stays hidden, and the run now says once per directory which PATH entry cannot be used, and why.
     */
    @Test
    void aPathDirectoryInTheHiddenHomeOrSwarmDirectoryStaysHiddenAndIsNamedOnce() throws Exception {
        String before = System.getProperty("user.home");
        Path home = Files.createTempDirectory(Path.of("/var/tmp"), "swarm-home-test-").toRealPath();
        try (Fixture f = new Fixture(tmp, Mode.BWRAP)) { // first: JNA, loaded by then, keeps its cache in the real home
            System.setProperty("user.home", home.toString());
            Path homeBin = Files.createDirectories(home.resolve(".local/bin"));
            Path swarmBin = Files.createDirectories(f.repo.resolve(".swarm/bin"));
            for (Path bin : List.of(homeBin, swarmBin)) {
                Files.writeString(bin.resolve("tool"), "#!/bin/sh\necho the tool ran\n");
                Files.setPosixFilePermissions(bin.resolve("tool"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            for (String id : List.of("one", "two")) {
                TestControl control = new TestControl();
                AttemptResult result = f.run(Fixture.ticket(id, "ls -A " + home + "; tool").env("PATH", homeBin + ":/usr/bin:/bin").build(), control);

                assertThat(result.exitCode()).as("%s %s", result.reason(), control.stderr).isEqualTo(127);
                assertThat(control.stdout).as("the home stays hidden").isEmpty();
            }
            TestControl control = new TestControl();
            AttemptResult result = f.run(Fixture.ticket("three", "tool").env("PATH", swarmBin + ":/usr/bin:/bin").build(), control);
            assertThat(result.exitCode()).as("%s %s", result.reason(), control.stderr).isEqualTo(127);
            // the scratch directory lies in the hidden state directory, and is shown again: its programs run, unwarned
            Path scratchBin = Files.createDirectories(f.runDir.resolve("scratch/bin"));
            Files.copy(swarmBin.resolve("tool"), scratchBin.resolve("tool"), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
            TestControl scratch = new TestControl();
            assertThat(f.run(Fixture.ticket("four", "tool").env("PATH", scratchBin + ":/usr/bin:/bin").build(), scratch).outcome())
                    .as("%s", scratch.stderr).isEqualTo(Outcome.SUCCEEDED);
            assertThat(scratch.stdout).containsExactly("the tool ran");

            assertThat(f.warnings).containsExactly(
                    "the PATH of ticket one holds " + homeBin + ", which lies in " + home + " (your home directory): the sandbox hides "
                            + home + " from tickets (an empty directory in its place), so the programs in " + homeBin + " cannot run "
                            + "there, and a command found only there fails with exit 127 (command not found); Swarmflow keeps " + home
                            + " hidden, as that keeps its files from the tickets: install the programs the tickets need outside it "
                            + "(/usr/local/bin, /opt/NAME/bin) and put that directory on the ticket's PATH",
                    "the PATH of ticket three holds " + swarmBin + ", which lies in " + f.repo.resolve(".swarm") + " (a Swarmflow "
                            + "state directory): the sandbox hides " + f.repo.resolve(".swarm") + " from tickets (an empty directory in "
                            + "its place), so the programs in " + swarmBin + " cannot run there, and a command found only there fails "
                            + "with exit 127 (command not found); Swarmflow keeps " + f.repo.resolve(".swarm") + " hidden, as that keeps "
                            + "its files from the tickets: install the programs the tickets need outside it (/usr/local/bin, "
                            + "/opt/NAME/bin) and put that directory on the ticket's PATH");
        } finally {
            System.setProperty("user.home", before);
            io.swarmflow.files.FileTrees.delete(home);
        }
    }

    /**
     * A repository that is the home (a dotfiles repository made with `git init ~`) undid the home's hiding: the sandbox
     * hides the home with a tmpfs, then binds the repository, the same directory, read-only, and the tickets read ~/.ssh.
     * The run is refused before it starts, with the reason and the fix, when a ticket would run under bubblewrap
     * (required, or best-effort where bubblewrap is usable), and an attempt that was not preflighted fails unlaunched;
     * with sandbox: off, which hides nothing, nothing is refused.
     */
    @Test
    void aRepositoryThatIsTheHomeIsRefusedAndItsFilesStayUnread() throws Exception {
        String before = System.getProperty("user.home");
        try (Fixture f = new Fixture(tmp, Mode.BWRAP)) { // first: JNA, loaded by then, keeps its cache in the real home
            Files.createDirectories(f.repo.resolve(".ssh"));
            Files.writeString(f.repo.resolve(".ssh/id_test"), "PRIVATE-KEY");
            System.setProperty("user.home", f.repo.toString());
            PlannedTicket ticket = Fixture.ticket("peek", "cat " + f.repo.resolve(".ssh/id_test") + " || echo hidden").build();
            String problem = "the repository " + f.repo + " is your home directory " + f.repo + ", which the sandbox hides from "
                    + "tickets; as it shows the tickets the repository, they would read the whole home (~/.ssh, ~/.aws, your "
                    + "list of state directories); keep the repository in a directory below your home (not a dotfiles "
                    + "repository made with git init ~), or set sandbox: off for these tickets to run them with nothing hidden";

            for (SandboxPolicy policy : List.of(SandboxPolicy.REQUIRED, SandboxPolicy.BEST_EFFORT)) {
                assertThat(f.executor.preflight(f.plan(Fixture.shell(policy), ticket))).as("%s", policy).containsExactly(problem);
                TestControl control = new TestControl();
                AttemptResult result = f.run(Fixture.shell(policy), ticket, control);
                assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
                assertThat(result.reason()).isEqualTo(problem);
                assertThat(control.stdout).as("not launched").isEmpty();
            }
            assertThat(f.executor.preflight(f.plan(Fixture.shell(SandboxPolicy.OFF), ticket))).isEmpty();
        } finally {
            System.setProperty("user.home", before);
        }
    }

    /**
     * {@code repo:} below a home whose top level is a repository (a dotfiles repository made with {@code git init ~}):
     * the repository's git directory, {@code ~/.git}, is what the sandbox shows read-only, with every file committed in
     * the home; refused as the home itself is (a review of d718825).
     */
    @Test
    void aRepositoryBelowAHomeThatIsADotfilesRepositoryIsRefused() throws Exception {
        String before = System.getProperty("user.home");
        try (Fixture f = new Fixture(tmp, Mode.BWRAP)) { // first: JNA, loaded by then, keeps its cache in the real home
            Path project = Files.createDirectories(f.repo.resolve("projects/foo"));
            System.setProperty("user.home", f.repo.toString());
            PlannedTicket ticket = Fixture.ticket("peek", "true").build();
            io.swarmflow.spec.AgentProfile profile = Fixture.shell(SandboxPolicy.REQUIRED);
            io.swarmflow.spec.Plan plan = new io.swarmflow.spec.Plan("test", "", 4, java.util.Map.of(), project.toString(),
                    project.toString(), java.util.Map.of(profile.name(), profile), List.of(ticket), "digest");
            assertThat(f.executor.preflight(plan)).singleElement().asString()
                    .startsWith("the git directory " + f.repo.resolve(".git") + " of the repository " + project + " is that of "
                            + "a repository whose top level is your home directory " + f.repo + " (a dotfiles repository");
        } finally {
            System.setProperty("user.home", before);
        }
    }

    /**
     * A repository above the home (`repo: /home`, a repository holding the home): the home's tmpfs is mounted after the
     * repository's bind, deeper mounts coming later, so the home stays hidden and the run is not refused.
     */
    @Test
    void aRepositoryAboveTheHomeLeavesTheHomeHidden() throws Exception {
        String before = System.getProperty("user.home");
        try (Fixture f = new Fixture(tmp, Mode.BWRAP)) { // first: JNA, loaded by then, keeps its cache in the real home
            Path home = Files.createDirectories(f.repo.resolve("home/user"));
            Files.createDirectories(home.resolve(".ssh"));
            Files.writeString(home.resolve(".ssh/id_test"), "PRIVATE-KEY");
            System.setProperty("user.home", home.toString());
            PlannedTicket ticket = Fixture.ticket("peek", "ls -A " + home + "; cat " + home.resolve(".ssh/id_test")
                    + " 2>/dev/null || echo hidden").workspace(WorkspaceMode.REPO).build();

            assertThat(f.executor.preflight(f.plan(Fixture.shell(SandboxPolicy.REQUIRED), ticket))).isEmpty();
            TestControl control = new TestControl();
            AttemptResult result = f.run(Fixture.shell(SandboxPolicy.REQUIRED), ticket, control);
            assertThat(result.outcome()).as("%s %s", result.reason(), control.stderr).isEqualTo(Outcome.SUCCEEDED);
            assertThat(control.stdout).containsExactly("hidden");
        } finally {
            System.setProperty("user.home", before);
        }
    }

    /**
     * A repository that is another run's state directory (a run elsewhere given `--state-dir` this checkout) is refused
     * as the home is: the sandbox cannot hide it while it shows the repository.
     */
    @Test
    void aRepositoryThatIsAListedStateDirectoryIsRefused() throws Exception {
        Path list = tmp.resolve("list/state-dirs");
        try (Fixture second = new Fixture(tmp.resolve("second"), Mode.BWRAP, list);
             Fixture first = new Fixture(tmp.resolve("first"), Mode.BWRAP, list, Duration.ofMillis(500), second.repo)) {
            succeeds(first, "one", "true");
            Path state = second.repo.toRealPath();

            assertThat(second.executor.preflight(second.plan(Fixture.shell(SandboxPolicy.BEST_EFFORT),
                    Fixture.ticket("peek", "true").build()))).containsExactly("the repository " + second.repo + " is the state "
                    + "directory of other runs " + state + ", which the sandbox hides from tickets; as it shows the tickets "
                    + "the repository, they would read those runs' swarm.db, logs and scratch files; keep the state of runs in "
                    + "a directory of its own (.swarm in the repository, the default), remove swarm.db* and runs/ from " + state
                    + " if those runs are no longer needed (not " + state + " itself, which is the repository), or set "
                    + "sandbox: off for these tickets to run them with nothing hidden");
        }
    }

    /**
     * A repository whose git directory another run took for its state directory (before that was refused): the advice
     * never says to delete the git directory, which holds the repository's whole history (review-A F2).
     */
    @Test
    void aGitDirectoryThatIsAListedStateDirectoryIsNeverToBeDeleted() throws Exception {
        Path list = tmp.resolve("list/state-dirs");
        try (Fixture second = new Fixture(tmp.resolve("second"), Mode.BWRAP, list);
             Fixture first = new Fixture(tmp.resolve("first"), Mode.BWRAP, list, Duration.ofMillis(500),
                     tmp.resolve("second/repo/.git"))) {
            succeeds(first, "one", "true");
            Path state = second.repo.resolve(".git").toRealPath();

            assertThat(second.executor.preflight(second.plan(Fixture.shell(SandboxPolicy.BEST_EFFORT),
                    Fixture.ticket("peek", "true").build()))).singleElement().asString()
                    .startsWith("the git directory " + second.repo.resolve(".git") + " of the repository " + second.repo
                            + " is the state directory of other runs " + state)
                    .contains("remove swarm.db* and runs/ from " + state + " if those runs are no longer needed (not " + state
                            + " itself, which is the repository's git directory, its whole history)")
                    .doesNotContain("delete");
        }
    }

    /**
     * A home that does not exist (nobody's /nonexistent) must not be hidden: as another user bubblewrap cannot make
     * the mount point on the read-only root and the attempt fails; as root it makes it, on the host.
     */
    @Test
    void aHomeThatDoesNotExistIsNeitherMadeNorAnObstacle() throws Exception {
        String before = System.getProperty("user.home");
        Path missing = Path.of("/nonexistent-" + UUID.randomUUID());
        try (Fixture f = new Fixture(tmp, Mode.BWRAP)) { // first: JNA, loaded by then, keeps its cache in the real home
            System.setProperty("user.home", missing.toString());
            TestControl control = new TestControl();
            AttemptResult result = f.run(Fixture.ticket("nobody", "echo ok").build(), control);

            assertThat(result.outcome()).as("%s %s", result.reason(), control.stderr).isEqualTo(Outcome.SUCCEEDED);
            assertThat(missing).as("made on the host").doesNotExist();
        } finally {
            System.setProperty("user.home", before);
            Files.deleteIfExists(missing);
        }
    }

    @Test
    void ticketCannotWriteOutsideItsWorkspaceAndScratch() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.BWRAP)) {
            String name = "swarm-" + UUID.randomUUID();
            Path realHome = Path.of(System.getProperty("user.home"));
            String script = """
                    for p in "$REPO/%1$s" "/etc/%1$s" "$REAL_HOME/%1$s" "$STATE/%1$s"; do
                      if touch "$p" 2>/dev/null; then echo "wrote $p"; else echo "denied $p"; fi
                    done
                    touch "$SWARM_SCRATCH/ok" && echo "wrote scratch"
                    touch ./in-workspace && echo "wrote workspace"
                    """.formatted(name);
            TestControl control = new TestControl();
            AttemptResult result = f.run(Fixture.ticket("writes", script).env("REPO", f.repo.toString())
                    .env("REAL_HOME", realHome.toString()).env("STATE", f.state.toString()).build(), control);

            assertThat(result.outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(control.stdout).containsExactly("denied " + f.repo + "/" + name, "denied /etc/" + name,
                    "denied " + realHome + "/" + name, "denied " + f.state + "/" + name, "wrote scratch", "wrote workspace");
            assertThat(f.runDir.resolve("scratch/ok")).exists();
            assertThat(f.repo.resolve(name)).doesNotExist();
            assertThat(Path.of("/etc", name)).doesNotExist();
            assertThat(realHome.resolve(name)).doesNotExist();
        }
    }

    @Test
    void mainRepositoryGitDirIsReadOnlyInsideAWorktreeTicket() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.BWRAP)) {
            String script = """
                    if touch "$(git rev-parse --git-common-dir)/swarm-marker" 2>/dev/null; then echo "wrote git dir"; else echo "denied git dir"; fi
                    echo change > file.txt
                    """;
            TestControl control = new TestControl();
            AttemptResult result = f.run(Fixture.ticket("wt", script).workspace(WorkspaceMode.WORKTREE).build(), control);

            assertThat(control.stdout).containsExactly("denied git dir");
            assertThat(f.repo.resolve(".git/swarm-marker")).doesNotExist();
            assertThat(result.outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(result.outputs().get("commit")).isNotEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void environmentHoldsOnlyWhatIsGranted(Mode mode) throws Exception {
        Set<String> allowed = Set.of("PATH", "HOME", "LANG", "SWARM_RUN_ID", "SWARM_TICKET_ID", "SWARM_ATTEMPT",
                "SWARM_SCRATCH", "GRANTED", "PWD", "SHLVL", "_");
        Set<String> parent = new HashSet<>(System.getenv().keySet());
        parent.removeAll(allowed);
        assumeTrue(!parent.isEmpty(), "the test JVM has no environment variable beyond the allowed ones");
        try (Fixture f = new Fixture(tmp, mode)) {
            TestControl control = new TestControl();
            AttemptResult result = f.run(Fixture.ticket("env", "env | cut -d= -f1").env("GRANTED", "yes").build(), control);

            assertThat(result.outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(control.stdout).contains("GRANTED", "SWARM_SCRATCH", "PATH", "HOME", "LANG");
            assertThat(control.stdout).allSatisfy(name -> assertThat(allowed).contains(name));
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void homeIsPrivateAndWritable(Mode mode) throws Exception {
        try (Fixture f = new Fixture(tmp, mode)) {
            TestControl control = new TestControl();
            AttemptResult result = f.run(Fixture.ticket("home", "echo \"$HOME\"; ls -A \"$HOME\" | wc -l; touch \"$HOME/.x\"").build(), control);

            assertThat(result.outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(control.stdout.getFirst()).isNotEqualTo(System.getProperty("user.home"));
            assertThat(control.stdout.get(1).strip()).isEqualTo("0");

            // the next attempt does not see what this one left in its HOME (without bubblewrap, empty homes are reused)
            TestControl next = new TestControl();
            assertThat(f.run(Fixture.ticket("home2", "ls -A \"$HOME\" | wc -l").build(), next).outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(next.stdout.getFirst().strip()).isEqualTo("0");
        }
    }

    /**
     * A ticket that ignores TERM was reported as "timed out after 1s" (or "cancelled"), like one that stopped on the TERM:
     * that it had to be killed once the grace period ran out, its cleanup unfinished, was not said. It now is.
     */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void aTicketThatIgnoresTermIsKilledAfterTheGraceAndSaysSo(Mode mode) throws Exception {
        try (Fixture f = new Fixture(tmp, mode)) {
            TestControl control = new TestControl(300);
            AttemptResult result = f.run(Fixture.ticket("stubborn", "trap '' TERM; echo started; while :; do sleep 0.1; done")
                    .timeout(1000).build(), control);

            assertThat(result.outcome()).isEqualTo(Outcome.TIMED_OUT);
            assertThat(result.reason()).isEqualTo("timed out after 1s; it did not end within the 0.3s grace period after TERM "
                    + "and was killed (SIGKILL)");
            assertThat(control.stdout).contains("started");
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void timeoutKillsTheWholeProcessGroup(Mode mode) throws Exception {
        try (Fixture f = new Fixture(tmp, mode)) {
            String marker = "1000" + Math.abs(UUID.randomUUID().getMostSignificantBits() % 100000);
            String script = "sleep " + marker + " & echo started; sleep " + marker;
            TestControl control = new TestControl();
            AttemptResult result = f.run(Fixture.ticket("slow", script).timeout(1500).build(), control);

            assertThat(result.outcome()).isEqualTo(Outcome.TIMED_OUT);
            assertThat(result.reason()).isEqualTo("timed out after 1.5s");
            assertThat(control.stdout).contains("started");
            await().atMost(Duration.ofSeconds(5)).until(() -> processesWithArgument(marker) == 0);
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void backgroundChildrenDoNotOutliveASuccessfulAttempt(Mode mode) throws Exception {
        try (Fixture f = new Fixture(tmp, mode)) {
            String marker = "2000" + Math.abs(UUID.randomUUID().getMostSignificantBits() % 100000);
            TestControl control = new TestControl();
            AttemptResult result = f.run(Fixture.ticket("bg", "sleep " + marker + " >/dev/null 2>&1 & echo started").build(), control);

            assertThat(result.outcome()).isEqualTo(Outcome.SUCCEEDED);
            await().atMost(Duration.ofSeconds(5)).until(() -> processesWithArgument(marker) == 0);
        }
    }

    /** Runs {@code ticket}'s attempt on another thread, so the test can cancel it. */
    private static CompletableFuture<AttemptResult> runAsync(Fixture f, PlannedTicket ticket, TestControl control) {
        CompletableFuture<AttemptResult> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                result.complete(f.run(ticket, control));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void cancelStopsAProcessThatIgnoresTermWithinTheGrace(Mode mode) throws Exception {
        try (Fixture f = new Fixture(tmp, mode)) {
            TestControl control = new TestControl(300);
            CompletableFuture<AttemptResult> result = runAsync(f,
                    Fixture.ticket("stubborn", "trap '' TERM; echo ready; while true; do sleep 1; done").build(), control);
            await().atMost(Duration.ofSeconds(10)).until(() -> control.stdout.contains("ready"));
            long cancelledAt = System.nanoTime();
            control.cancel();

            AttemptResult r = result.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(r.outcome()).isEqualTo(Outcome.CANCELLED);
            assertThat(Duration.ofNanos(System.nanoTime() - cancelledAt)).isLessThan(Duration.ofSeconds(3));
            await().atMost(Duration.ofSeconds(5)).until(() -> !ProcessHandle.of(control.pid).map(ProcessHandle::isAlive).orElse(false));
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void cancelGivesATermTrapItsGracePeriod(Mode mode) throws Exception {
        try (Fixture f = new Fixture(tmp, mode)) {
            TestControl control = new TestControl(10_000);
            String script = "trap 'echo cleaning; sleep 0.5; echo done > \"$SWARM_SCRATCH/cleaned\"; exit 143' TERM; "
                    + "echo ready; while true; do sleep 0.1; done";
            CompletableFuture<AttemptResult> result = runAsync(f, Fixture.ticket("tidy", script).build(), control);
            await().atMost(Duration.ofSeconds(10)).until(() -> control.stdout.contains("ready"));
            control.cancel();

            AttemptResult r = result.get(15, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(r.outcome()).isEqualTo(Outcome.CANCELLED);
            assertThat(control.stdout).contains("cleaning");
            assertThat(f.runDir.resolve("scratch/cleaned")).as("the trap ran to its end within the grace period").hasContent("done");
        }
    }

    /**
     * A script without a trap of its own: the children that clean up on TERM (an agent saving its state) finish within the
     * grace, in the foreground and in the background, also under bubblewrap, where the script's shell dying at once would
     * end the PID namespace and every process in it.
     */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void cancelGivesTheScriptsChildrenTheirGracePeriod(Mode mode) throws Exception {
        try (Fixture f = new Fixture(tmp, mode)) {
            TestControl control = new TestControl(10_000);
            String child = "sh -c 'trap \"sleep 0.5; echo done > \\\"$SWARM_SCRATCH/%s\\\"; exit 0\" TERM; echo ready-%s; "
                    + "while :; do sleep 0.05; done'";
            String script = String.format(child, "background", "background") + " &\n" + String.format(child, "foreground", "foreground")
                    + "\necho not reached";
            CompletableFuture<AttemptResult> result = runAsync(f, Fixture.ticket("agents", script).build(), control);
            await().atMost(Duration.ofSeconds(10)).until(() -> control.stdout.containsAll(List.of("ready-foreground", "ready-background")));
            control.cancel();

            AttemptResult r = result.get(15, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(r.outcome()).isEqualTo(Outcome.CANCELLED);
            assertThat(f.runDir.resolve("scratch/foreground")).as("the foreground child's cleanup ran to its end").hasContent("done");
            assertThat(f.runDir.resolve("scratch/background")).as("the background child's cleanup ran to its end").hasContent("done");
            assertThat(control.stdout).doesNotContain("not reached");
        }
    }

    /**
     * Two Swarmflows over two state directories holding the same run (a copied state directory, two resumed from one
     * backup) run attempts with the same run, ticket and attempt ids. Stopping one attempt ends what it left outside its
     * process group (found by its SWARM_ variables, without bubblewrap), and must leave the other state directory's
     * attempt, whose processes hold the same ids but another SWARM_SCRATCH, running.
     */
    @Test
    void aStopLeavesAnotherStateDirectorysAttemptWithTheSameIdsAlone() throws Exception {
        String script = """
                setsid sh -c 'echo $$ > "$SWARM_SCRATCH/daemon.pid.tmp"; mv "$SWARM_SCRATCH/daemon.pid.tmp" "$SWARM_SCRATCH/daemon.pid"; exec sleep 1000' >/dev/null 2>&1 &
                echo ready
                while :; do sleep 0.1; done""";
        long ours = -1;
        long theirs = -1;
        try (Fixture a = new Fixture(tmp.resolve("a"), Mode.NO_BWRAP); Fixture b = new Fixture(tmp.resolve("b"), Mode.NO_BWRAP)) {
            TestControl stopped = new TestControl(500);
            TestControl other = new TestControl(500);
            // the stopped attempt starts first: the other's processes get later pids, which its end's scan looks at
            CompletableFuture<AttemptResult> first = runAsync(a, Fixture.ticket("same", script).build(), stopped);
            Path ourPid = a.runDir.resolve("scratch/daemon.pid");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(ourPid) && stopped.stdout.contains("ready"));
            CompletableFuture<AttemptResult> second = runAsync(b, Fixture.ticket("same", script).build(), other);
            Path theirPid = b.runDir.resolve("scratch/daemon.pid");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(theirPid) && other.stdout.contains("ready"));
            ours = Long.parseLong(Files.readString(ourPid).strip());
            theirs = Long.parseLong(Files.readString(theirPid).strip());
            long oursFinal = ours;

            stopped.cancel();
            assertThat(first.get(30, java.util.concurrent.TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.CANCELLED);
            // what the stopped attempt left outside its group was found and ended: the scan ran
            await().atMost(Duration.ofSeconds(10)).until(() -> !running(oursFinal));
            assertThat(running(theirs)).as("the other state directory's daemon").isTrue();
            assertThat(running(other.pid)).as("the other state directory's attempt").isTrue();
            assertThat(second).as("the other state directory's attempt").isNotDone();

            other.cancel();
            assertThat(second.get(30, java.util.concurrent.TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.CANCELLED);
            long theirsFinal = theirs;
            await().atMost(Duration.ofSeconds(10)).until(() -> !running(theirsFinal));
        } finally {
            for (long pid : new long[]{ours, theirs}) {
                if (pid > 0) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    /** Whether process {@code pid} is alive (not a zombie). */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void failingCommandInAPipelineFailsTheTicketWithItsStderr(Mode mode) throws Exception {
        try (Fixture f = new Fixture(tmp, mode)) {
            AttemptResult result = f.run(Fixture.ticket("fail", "echo 'broken thing' >&2; false | cat; echo unreachable").build(), new TestControl());

            assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(result.exitCode()).isEqualTo(1);
            assertThat(result.reason()).isEqualTo("exited with code 1: broken thing");
        }
    }

    static long processesWithArgument(String argument) throws IOException {
        return io.swarmflow.sandbox.TestProcesses.withArgument(argument);
    }
}
