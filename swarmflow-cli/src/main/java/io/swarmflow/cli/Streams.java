package io.swarmflow.cli;

import picocli.CommandLine;

import java.io.PrintStream;

/** The output streams of the current {@link SwarmCli#execute} call (commands print to these, so tests can capture them). */
final class Streams {
    static volatile PrintStream out = System.out;
    static volatile PrintStream err = System.err;

    private Streams() {}

    static PrintStream out(CommandLine.Model.CommandSpec spec) {
        return out;
    }

    static PrintStream err(CommandLine.Model.CommandSpec spec) {
        return err;
    }
}
