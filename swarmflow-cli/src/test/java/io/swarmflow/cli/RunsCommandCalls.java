package io.swarmflow.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The set-up shared by the {@code swarm runs} tests of a busy or damaged database: the command run in-process with its
 * output captured, and a spec of one matrix ticket big enough that the tickets table spans many pages.
 */
final class RunsCommandCalls {
    private RunsCommandCalls() {
    }

    /** A finished command: exit code, standard output and standard error (UTF-8). */
    record Result(int code, String out, String err) {
    }

    /** Runs {@code swarm args...} in-process. */
    static Result swarm(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SwarmCli.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Writes {@code dir/many.yaml}: one noop ticket whose matrix has {@code values} values (0 to values - 1). */
    static Path manySpec(Path dir, int values) throws IOException {
        String list = IntStream.range(0, values).mapToObj(Integer::toString).collect(Collectors.joining(","));
        return Files.writeString(dir.resolve("many.yaml"), "name: many\ntickets:\n  - {id: t, agent: noop, matrix: {k: [" + list + "]}}\n");
    }
}
