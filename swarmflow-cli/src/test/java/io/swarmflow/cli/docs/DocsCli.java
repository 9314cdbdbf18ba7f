package io.swarmflow.cli.docs;

import io.swarmflow.cli.SwarmCli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Runs {@code swarm} in-process for the docs' tests (the e2e package's {@code Cli} is private to that package). */
final class DocsCli {
    private DocsCli() {}

    /** Exit code and output of one command. */
    record Result(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    static Result swarm(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SwarmCli.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The directory of the one run in {@code stateDir}. */
    static Path onlyRunDir(Path stateDir) throws IOException {
        try (var runs = Files.list(stateDir.resolve("runs"))) {
            return runs.reduce((a, b) -> {
                throw new AssertionError("more than one run in " + stateDir);
            }).orElseThrow(() -> new AssertionError("no run in " + stateDir));
        }
    }
}
