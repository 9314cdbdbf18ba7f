package io.swarmflow.local;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StateDirRegistryTest {
    @TempDir
    Path tmp;

    @Test
    void eachRunAddsItsStateDirectoryAndSeesTheOthersThatStillExist() throws Exception {
        Path list = tmp.resolve("xdg/swarmflow/state-dirs");
        Path a = Files.createDirectories(tmp.resolve("a"));
        Path b = Files.createDirectories(tmp.resolve("b with\nnewline"));
        Path c = Files.createDirectories(tmp.resolve("c"));

        assertThat(StateDirRegistry.registerAndList(list, a)).isEmpty();
        assertThat(StateDirRegistry.registerAndList(list, b)).containsExactly(a.toRealPath());
        assertThat(StateDirRegistry.registerAndList(list, a)).as("listed once").containsExactly(b.toRealPath());
        Files.delete(b);
        assertThat(StateDirRegistry.registerAndList(list, c)).as("a deleted one is dropped").containsExactly(a.toRealPath());

        assertThat(new String(Files.readAllBytes(list), StandardCharsets.UTF_8)).isEqualTo(a.toRealPath() + "\0" + c.toRealPath() + "\0");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(list))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(list.getParent()))).isEqualTo("rwx------");
    }

    /**
     * "/" is never listed: the sandbox cannot hide the root from tickets (swarm refuses it as a state directory). One an
     * older swarm listed is ignored, so no run hides it or warns that it stays readable, and dropped at the next rewrite;
     * the entries around it stay. Only the real "/" is read here (its real path), nothing is written there.
     */
    @Test
    void theRootIsNeitherListedNorReadFromTheList() throws Exception {
        Path list = tmp.resolve("state-dirs");
        Path a = Files.createDirectories(tmp.resolve("a")).toRealPath();
        Path b = Files.createDirectories(tmp.resolve("b")).toRealPath();
        Files.writeString(list, a + "\0/\0");

        assertThat(StateDirRegistry.read(list, b)).as("read without the lock").containsExactly(a);
        assertThat(StateDirRegistry.registerAndList(list, b)).containsExactly(a);
        assertThat(new String(Files.readAllBytes(list), StandardCharsets.UTF_8)).as("dropped at the rewrite")
                .isEqualTo(a + "\0" + b + "\0");

        assertThat(StateDirRegistry.registerAndList(list, Path.of("/"))).containsExactly(a, b);
        assertThat(new String(Files.readAllBytes(list), StandardCharsets.UTF_8)).as("/ not added")
                .isEqualTo(a + "\0" + b + "\0");
    }

    /** The list runs from the least to the most recently registered: registering again moves a directory to its end. */
    @Test
    void registeringAgainMovesADirectoryToTheEnd() throws Exception {
        Path list = tmp.resolve("state-dirs");
        Path a = Files.createDirectories(tmp.resolve("a")).toRealPath();
        Path b = Files.createDirectories(tmp.resolve("b")).toRealPath();
        Path c = Files.createDirectories(tmp.resolve("c")).toRealPath();
        StateDirRegistry.registerAndList(list, a);
        StateDirRegistry.registerAndList(list, b);

        StateDirRegistry.registerAndList(list, a);

        assertThat(new String(Files.readAllBytes(list), StandardCharsets.UTF_8)).isEqualTo(b + "\0" + a + "\0");
        assertThat(StateDirRegistry.registerAndList(list, c)).containsExactly(b, a);
    }

    /**
     * An attempt leaves its run's state directory where it is listed while it is among the {@link StateDirRegistry#RECENT}
     * registered last (two active runs do not rewrite the list in turn), but moves it to the end once more runs than that
     * started after it: the other runs' tickets hide only that many, so a long run's state would become readable to them.
     */
    @Test
    void anAttemptMovesItsStateDirectoryToTheEndOnlyOnceItFellPastTheDirectoriesHidden() throws Exception {
        Path list = tmp.resolve("state-dirs");
        Path own = Files.createDirectories(tmp.resolve("long-run")).toRealPath();
        StateDirRegistry.register(list, own, java.time.Duration.ZERO, true);
        List<Path> later = new ArrayList<>();
        for (int i = 0; i < StateDirRegistry.RECENT - 1; i++) { // the long run's is the RECENT-th from the end
            Path d = Files.createDirectories(tmp.resolve("later-" + i)).toRealPath();
            later.add(d);
            StateDirRegistry.register(list, d, java.time.Duration.ZERO, true);
        }
        byte[] before = Files.readAllBytes(list);
        StateDirRegistry.register(list, later.getFirst(), java.time.Duration.ZERO, false);
        assertThat(Files.readAllBytes(list)).as("among the last ones: left in place").isEqualTo(before);
        StateDirRegistry.register(list, own, java.time.Duration.ZERO, false);
        assertThat(Files.readAllBytes(list)).as("still among them: left in place").isEqualTo(before);

        Path oneMore = Files.createDirectories(tmp.resolve("one-more")).toRealPath();
        StateDirRegistry.register(list, oneMore, java.time.Duration.ZERO, true);
        StateDirRegistry.register(list, own, java.time.Duration.ZERO, false);

        String text = new String(Files.readAllBytes(list), StandardCharsets.UTF_8);
        assertThat(text).endsWith(oneMore + "\0" + own + "\0");
        assertThat(StateDirRegistry.read(list, oneMore).reversed().subList(0, StateDirRegistry.RECENT)).contains(own);
    }

    @Test
    void aStateDirectoryNamedThroughALinkIsListedByItsRealPath() throws Exception {
        Path list = tmp.resolve("state-dirs");
        Path real = Files.createDirectories(tmp.resolve("real"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        Path other = Files.createDirectories(tmp.resolve("other"));

        StateDirRegistry.registerAndList(list, link);

        assertThat(StateDirRegistry.registerAndList(list, other)).containsExactly(real.toRealPath());
    }

    /** A crash while the list was rewritten can leave an entry cut short: it is not taken for a directory. */
    @Test
    void anEntryCutShortIsDropped() throws Exception {
        Path list = tmp.resolve("state-dirs");
        Path a = Files.createDirectories(tmp.resolve("abc"));
        Files.createDirectories(tmp.resolve("ab"));
        Files.writeString(list, a.toRealPath() + "\0" + tmp.toRealPath().resolve("ab"));
        Path own = Files.createDirectories(tmp.resolve("own"));

        assertThat(StateDirRegistry.registerAndList(list, own)).containsExactly(a.toRealPath());
    }

    @Test
    void aFileTooLargeToBeTheListIsRefusedAndLeftAsItIs() throws Exception {
        Path list = tmp.resolve("state-dirs");
        Files.write(list, new byte[StateDirRegistry.MAX_BYTES + 1]);
        Path own = Files.createDirectories(tmp.resolve("own"));

        assertThatThrownBy(() -> StateDirRegistry.registerAndList(list, own))
                .hasMessage(list + " is larger than " + StateDirRegistry.MAX_BYTES + " bytes, so it is not a list Swarmflow "
                        + "wrote; delete it (it is made again by the next run)");
        assertThat(Files.size(list)).isEqualTo(StateDirRegistry.MAX_BYTES + 1);
    }

    /**
     * A run in the C locale (cron, a container without LANG: the JVM's file names are ASCII) cannot make a path of an
     * entry another run listed with other letters: that entry is left in the list as it is, for the runs that can, and
     * the rest of the list still works (it threw, so the run warned and hid none of the others).
     */
    @Test
    void anEntryThisJvmCannotNameIsKeptAndTheOthersStillListed() throws Exception {
        Path list = tmp.resolve("state-dirs");
        Path other = Files.createDirectories(tmp.resolve("other")).toRealPath();
        String accented = tmp.toRealPath() + "/\u00e9tat";
        Files.write(list, (accented + "\0" + other + "\0").getBytes(StandardCharsets.UTF_8));
        Path own = Files.createDirectories(tmp.resolve("own")).toRealPath();

        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), io.swarmflow.files.OrdinaryUser.class.getName(),
                StateDirRegistryTest.class.getName(), "registerAndListStep", list.toString(), own.toString())
                .redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.equals("LANG") || k.equals("LANGUAGE") || k.startsWith("LC_"));
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).isEqualTo("[" + other + "]");
        assertThat(new String(Files.readAllBytes(list), StandardCharsets.UTF_8))
                .isEqualTo(accented + "\0" + other + "\0" + own + "\0");
    }

    /**
     * With neither XDG_STATE_HOME nor a home (no entry in the password database, no HOME: user.home is "?") the list
     * could not be kept and nothing was said, though docs/sandbox.md says the run warns: the run's warning now names
     * why and the variable to set.
     */
    @Test
    void withoutAHomeTheListCannotBeKeptAndSaysWhy() throws Exception {
        Path own = Files.createDirectories(tmp.resolve("own")).toRealPath();
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Duser.home=?",
                "-cp", System.getProperty("java.class.path"), io.swarmflow.files.OrdinaryUser.class.getName(),
                StateDirRegistryTest.class.getName(), "defaultListStep", own.toString())
                .redirectErrorStream(true);
        pb.environment().remove("XDG_STATE_HOME");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).isEqualTo("$XDG_STATE_HOME/swarmflow/state-dirs: neither XDG_STATE_HOME nor your home directory "
                + "(user.home: ?) is an absolute path");
    }

    /** {@link StateDirRegistry#registerAndList} on the default list, or its error: a step for {@code OrdinaryUser}'s main. */
    static String defaultListStep(String... a) {
        Path file = StateDirRegistry.defaultFile();
        try {
            return file + ": " + StateDirRegistry.registerAndList(file, Path.of(a[0]));
        } catch (java.io.IOException e) {
            return file + ": " + e.getMessage();
        }
    }

    /** {@link StateDirRegistry#registerAndList} in a child JVM: a step for {@code OrdinaryUser}'s main. */
    static String registerAndListStep(String... a) throws Exception {
        return StateDirRegistry.registerAndList(Path.of(a[0]), Path.of(a[1])).toString();
    }

    /**
     * A lock on the list that another process keeps (a run stopped with Ctrl-Z while it held it) made every run wait
     * forever: the wait now ends, with an error naming the lock file, and the list, unchanged, can still be read.
     */
    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aLockAnotherProcessKeepsIsWaitedForABoundedTime() throws Exception {
        Path list = tmp.resolve("state-dirs");
        Path a = Files.createDirectories(tmp.resolve("a")).toRealPath();
        Path b = Files.createDirectories(tmp.resolve("b")).toRealPath();
        StateDirRegistry.registerAndList(list, a);
        Process holder = holdLock(list.resolveSibling("state-dirs.lock"));
        try {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> StateDirRegistry.register(list, b, java.time.Duration.ofMillis(300)))
                    .isInstanceOf(StateDirRegistry.LockedException.class)
                    .hasMessage("another process has held " + list.resolveSibling("state-dirs.lock") + " for more than 300 ms "
                            + "(fuser -v " + list.resolveSibling("state-dirs.lock") + " names it)");
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(300_000_000L);
            assertThat(new String(Files.readAllBytes(list), StandardCharsets.UTF_8)).as("unchanged").isEqualTo(a + "\0");
            assertThat(StateDirRegistry.read(list, b)).containsExactly(a);
        } finally {
            holder.getOutputStream().close();
            holder.waitFor();
        }
        assertThat(StateDirRegistry.registerAndList(list, b)).as("once released").containsExactly(a);
    }

    /**
     * A child JVM holding the lock on {@code lockFile} (a FileLock: fcntl(2), which flock(1) would not conflict with)
     * until its stdin is closed; returns once it holds it.
     */
    static Process holdLock(Path lockFile) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), io.swarmflow.files.OrdinaryUser.class.getName(),
                StateDirRegistryTest.class.getName(), "holdLockStep", lockFile.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String first = out.readLine();
        if (!"locked".equals(first)) {
            p.destroyForcibly();
            throw new AssertionError("the lock holder said " + first);
        }
        return p;
    }

    /** Holds the lock on {@code a[0]} until stdin ends: a step for {@code OrdinaryUser}'s main. */
    static String holdLockStep(String... a) throws Exception {
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(Path.of(a[0]),
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.CREATE);
             java.nio.channels.FileLock ignored = channel.lock()) {
            System.out.println("locked");
            System.out.flush();
            System.in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return "";
    }

    /** The stamp a run compares before reading the list again: the same while nobody rewrote it, another after. */
    @Test
    void theStampChangesWhenTheListIsRewrittenOnly() throws Exception {
        Path list = tmp.resolve("state-dirs");
        Path a = Files.createDirectories(tmp.resolve("a"));
        Path b = Files.createDirectories(tmp.resolve("b"));

        StateDirRegistry.Listing first = StateDirRegistry.register(list, a);
        assertThat(first.stamp()).isNotNull().isEqualTo(StateDirRegistry.stamp(list));
        assertThat(StateDirRegistry.register(list, a).stamp()).as("read, not rewritten").isEqualTo(first.stamp());
        StateDirRegistry.register(list, b);
        assertThat(StateDirRegistry.stamp(list)).isNotEqualTo(first.stamp());
        assertThat(StateDirRegistry.stamp(tmp.resolve("missing"))).isNull();
    }

    /**
     * The list is replaced whole, never rewritten in place: a reader that opened it before a rewrite (another run, or
     * this one before a crash) reads the old list complete, and the directory keeps no temporary file.
     */
    @Test
    void aRewriteReplacesTheListWholeAndLeavesNoTemporaryFile() throws Exception {
        Path list = tmp.resolve("xdg/state-dirs");
        Path a = Files.createDirectories(tmp.resolve("a")).toRealPath();
        Path b = Files.createDirectories(tmp.resolve("b")).toRealPath();
        StateDirRegistry.registerAndList(list, a);

        try (java.io.InputStream before = Files.newInputStream(list)) {
            StateDirRegistry.registerAndList(list, b);

            assertThat(new String(before.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(a + "\0");
        }
        assertThat(new String(Files.readAllBytes(list), StandardCharsets.UTF_8)).isEqualTo(a + "\0" + b + "\0");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(list))).isEqualTo("rw-------");
        try (var files = Files.list(list.getParent())) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("state-dirs", "state-dirs.lock");
        }
    }

    /** Runs of one JVM registering at once (a FileLock belongs to the JVM, so threads are serialized apart): none is lost. */
    @Test
    void concurrentRegistrationsLoseNoEntry() throws Exception {
        Path list = tmp.resolve("state-dirs");
        List<Path> dirs = new ArrayList<>();
        for (int i = 0; i < 32; i++) dirs.add(Files.createDirectories(tmp.resolve("s" + i)).toRealPath());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<Path>>> done = new ArrayList<>();
            for (Path d : dirs) done.add(pool.submit((Callable<List<Path>>) () -> StateDirRegistry.registerAndList(list, d)));
            for (Future<List<Path>> f : done) f.get();
        } finally {
            pool.shutdownNow();
        }
        Path last = Files.createDirectories(tmp.resolve("last"));

        assertThat(StateDirRegistry.registerAndList(list, last)).containsExactlyInAnyOrderElementsOf(dirs);
    }

    /**
     * Several callers in one JVM (a server's executors) held up by a lock another process keeps: register was
     * synchronized, so each waited its whole wait only after the one before it had, N waits in all. They now wait
     * together, each for its own wait from its call, and all give up after about one; once the lock is free, they all
     * register (one at a time in the JVM: no OverlappingFileLockException).
     */
    @Test
    @org.junit.jupiter.api.Timeout(60)
    void callersInOneJvmHeldUpByAnotherProcessesLockWaitTogether() throws Exception {
        Path list = tmp.resolve("list/state-dirs");
        Files.createDirectories(list.getParent());
        int callers = 4;
        java.time.Duration wait = java.time.Duration.ofMillis(1500);
        List<Path> dirs = new ArrayList<>();
        for (int i = 0; i < callers; i++) dirs.add(Files.createDirectories(tmp.resolve("s" + i)).toRealPath());
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        Process holder = holdLock(list.resolveSibling("state-dirs.lock"));
        try {
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            List<Future<Long>> waited = new ArrayList<>();
            for (Path d : dirs) {
                waited.add(pool.submit(() -> {
                    start.await();
                    long t0 = System.nanoTime();
                    assertThatThrownBy(() -> StateDirRegistry.register(list, d, wait)).isInstanceOf(StateDirRegistry.LockedException.class);
                    return System.nanoTime() - t0;
                }));
            }
            long t0 = System.nanoTime();
            start.countDown();
            for (Future<Long> f : waited) assertThat(f.get()).as("each waited its wait").isGreaterThanOrEqualTo(wait.toNanos());
            assertThat(System.nanoTime() - t0).as("all of them together, about one wait").isLessThan(2 * wait.toNanos());
        } finally {
            holder.getOutputStream().close();
            holder.waitFor();
        }
        try {
            List<Future<List<Path>>> done = new ArrayList<>();
            for (Path d : dirs) done.add(pool.submit(() -> StateDirRegistry.register(list, d, wait).others()));
            for (Future<List<Path>> f : done) f.get();
        } finally {
            pool.shutdownNow();
        }
        assertThat(StateDirRegistry.read(list, Files.createDirectories(tmp.resolve("last")))).containsExactlyInAnyOrderElementsOf(dirs);
    }
}
