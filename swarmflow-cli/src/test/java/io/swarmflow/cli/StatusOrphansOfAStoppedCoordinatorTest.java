package io.swarmflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmflow.sandbox.ProcessGroups;
import io.swarmflow.store.RunEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code swarm status} of a run whose coordinator stopped with a ticket recorded as running. Its process is looked at
 * only when the coordinator that launched it was a process of this machine that is gone: a pid another machine recorded
 * means nothing here, so for a coordinator of another machine {@code processAlive} is null and no line says the process
 * runs, even when a process of this machine has that pid and start time (this test's JVM stands for it). That coordinator
 * is the one the attempt records, whoever held the run last; for an attempt recorded without it, the last lease holder.
 */
class StatusOrphansOfAStoppedCoordinatorTest {
    @TempDir
    Path tmp;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aStoppedCoordinatorOfAnotherMachineLeavesProcessAliveNullAndNoNote() throws Exception {
        OtherHostRun created = OtherHostRun.create(tmp, (w, id) -> w.store.releaseRun(id, OtherHostRun.start(w, id, 1,
                running()))); // stopped: its claim released, the run still recorded as running
        String run = created.run();
        String state = "--state-dir=" + created.stateDir();

        assertNotLookedAt(run, state);
    }

    /** The same run left by a gone coordinator of this machine: the process is looked at (the JVM runs: alive). */
    @Test
    void aStoppedCoordinatorOfThisMachineHasItsProcessLookedAt() throws Exception {
        String owner = goneCoordinatorOfThisMachine();
        OtherHostRun created = OtherHostRun.create(tmp, (w, id) -> {
            long epoch = w.store.claimRun(id, owner, 60_000);
            List<RunEvent> events = new java.util.ArrayList<>(List.of(new RunEvent.RunStarted(epoch, owner, false)));
            events.addAll(List.of(running()));
            w.store.append(id, epoch, events).join();
            java.nio.file.Files.createDirectories(w.runDir(id));
        });
        String run = created.run();
        String state = "--state-dir=" + created.stateDir();
        long self = ProcessHandle.current().pid();

        assertLookedAt(run, state);
    }

    /**
     * An attempt launched by a gone coordinator of this machine that started before the machine last started (its owner's
     * start before {@code btime} of {@code /proc/stat}) ran in an earlier boot: nothing of it can still run, and its pid
     * and start ticks, counted afresh in this boot, name nothing of it (here they name this JVM). It is not looked at, as
     * {@code swarm resume} does not kill it.
     */
    @Test
    void anAttemptLaunchedByACoordinatorOfAnEarlierBootIsNotLookedAt() throws Exception {
        String launcher = goneCoordinatorOfThisMachine(earlierBoot());
        OtherHostRun created = OtherHostRun.create(tmp, (w, id) -> w.store.releaseRun(id, OtherHostRun.start(w, id, 1,
                running(launcher))));
        assertNotLookedAt(created.run(), "--state-dir=" + created.stateDir());
    }

    /**
     * The run's last lease holder was of another machine (it died inside its recovery of the attempt), but the attempt
     * records that a gone coordinator of this machine launched its process: the process is looked at.
     */
    @Test
    void anAttemptLaunchedByAGoneCoordinatorOfThisMachineIsLookedAtWhoeverHeldTheRunLast() throws Exception {
        String launcher = goneCoordinatorOfThisMachine();
        OtherHostRun created = OtherHostRun.create(tmp, (w, id) -> w.store.releaseRun(id, OtherHostRun.start(w, id, 1,
                running(launcher))));
        assertLookedAt(created.run(), "--state-dir=" + created.stateDir());
    }

    /**
     * The reverse: the run's last lease holder was a gone coordinator of this machine, but the attempt records that a
     * coordinator of another machine launched its process: its pid means nothing here, and is not looked at.
     */
    @Test
    void anAttemptLaunchedByACoordinatorOfAnotherMachineIsNotLookedAtWhoeverHeldTheRunLast() throws Exception {
        String owner = goneCoordinatorOfThisMachine();
        OtherHostRun created = OtherHostRun.create(tmp, (w, id) -> {
            long epoch = w.store.claimRun(id, owner, 60_000);
            List<RunEvent> events = new java.util.ArrayList<>(List.of(new RunEvent.RunStarted(epoch, owner, true)));
            events.addAll(List.of(running("otherhost:1@1/1")));
            w.store.append(id, epoch, events).join();
            java.nio.file.Files.createDirectories(w.runDir(id));
        });
        assertNotLookedAt(created.run(), "--state-dir=" + created.stateDir());
    }

    /** A start in an earlier boot of this machine: a minute before this boot's {@code btime} ({@code /proc/stat}). */
    static long earlierBoot() throws Exception {
        String btime = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).stream()
                .filter(l -> l.startsWith("btime ")).findFirst().orElseThrow();
        return Long.parseLong(btime.substring(6).strip()) * 1000 - 60_000;
    }

    /** The owner id of a coordinator of this machine and of its current boot that is gone (a process that ended). */
    private static String goneCoordinatorOfThisMachine() throws Exception {
        return goneCoordinatorOfThisMachine(System.currentTimeMillis());
    }

    /** The owner id of a coordinator of this machine that is gone (a process that ended) and started at {@code startMillis}. */
    private static String goneCoordinatorOfThisMachine(long startMillis) throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String current = io.swarmflow.engine.Owners.current();
        return current.substring(0, current.lastIndexOf(':')) + ":" + gone.pid() + "@" + startMillis;
    }

    private static void assertLookedAt(String run, String state) throws Exception {
        long self = ProcessHandle.current().pid();
        assertThat(swarm("status", run, state)).contains("\na: its process (group " + self + ") still runs, left by the "
                + "stopped coordinator");
        assertThat(swarm("status", run, "a", state)).contains("\n  attempt 1's process (group " + self + ") still runs");
        assertThat(JSON.readTree(swarm("status", run, state, "--json")).get("tickets").get(0).get("processAlive").asBoolean()).isTrue();
        assertThat(JSON.readTree(swarm("status", run, "a", state, "--json")).get("attempts").get(0).get("processAlive").asBoolean()).isTrue();
    }

    /** Ticket {@code a} running, its process recorded as this JVM (pid and start time), without its launching coordinator. */
    private static RunEvent[] running() {
        return running(null);
    }

    /** Ticket {@code a} running, its process recorded as this JVM (pid and start time), launched by {@code coordinator}. */
    private static RunEvent[] running(String coordinator) {
        long self = ProcessHandle.current().pid();
        return new RunEvent[]{new RunEvent.TicketReady("a"), new RunEvent.AttemptStarted("a", 1, 60_000),
                new RunEvent.AttemptProcessStarted("a", 1, self, ProcessGroups.startTicks(self).orElseThrow(), coordinator)};
    }

    private static void assertNotLookedAt(String run, String state) throws Exception {
        String table = swarm("status", run, state);
        assertThat(table).as(table).contains("running (stopped)").doesNotContain("still runs", "no longer runs");
        String ticket = swarm("status", run, "a", state);
        assertThat(ticket).as(ticket).contains("ticket a of run " + run).doesNotContain("attempt 1's process");
        JsonNode json = JSON.readTree(swarm("status", run, state, "--json"));
        assertThat(json.get("run").get("executing").asBoolean()).isFalse();
        assertThat(json.get("tickets").get(0).get("state").asText()).isEqualTo("running");
        assertThat(json.get("tickets").get(0).get("processAlive").isNull()).as("%s", json).isTrue();
        JsonNode ticketJson = JSON.readTree(swarm("status", run, "a", state, "--json"));
        assertThat(ticketJson.get("attempts").get(0).get("processAlive").isNull()).as("%s", ticketJson).isTrue();
    }

    private static String swarm(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = SwarmCli.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(text).isZero();
        return text;
    }
}
