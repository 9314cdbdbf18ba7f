package io.swarmflow.cli;

import picocli.CommandLine;

import java.io.PrintStream;

/**
 * The output streams of the {@link SwarmCli#execute} call running on the current thread (commands
 * print to these, so tests can capture them). Per thread, so that calls running at the same time in
 * one JVM (a {@code run} and an {@code approve} of it) do not print into each other's streams.
 */
final class Streams {
    private static final ThreadLocal<PrintStream[]> CURRENT = new ThreadLocal<>();

    private Streams() {}

    static void set(PrintStream out, PrintStream err) {
        CURRENT.set(new PrintStream[]{out, err});
    }

    static void clear() {
        CURRENT.remove();
    }

    static PrintStream out(CommandLine.Model.CommandSpec spec) {
        PrintStream[] s = CURRENT.get();
        return s != null ? s[0] : System.out;
    }

    static PrintStream err(CommandLine.Model.CommandSpec spec) {
        PrintStream[] s = CURRENT.get();
        return s != null ? s[1] : System.err;
    }
}
