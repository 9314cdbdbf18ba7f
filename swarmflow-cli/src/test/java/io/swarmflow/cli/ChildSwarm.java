package io.swarmflow.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * swarm in a child JVM, for the tests of what is fixed per process: the umask, whether JNA loads, an {@code LD_PRELOAD}ed
 * library. The child runs {@link SwarmCli} with this JVM's {@code java} and class path.
 */
final class ChildSwarm {
    private ChildSwarm() {
    }

    /** What the child did: its exit code, and its stdout and stderr together. */
    record Result(int exit, String output) {
    }

    /**
     * {@code java JVM_OPTIONS -cp CLASSPATH io.swarmflow.cli.SwarmCli ARGS}: the command line, for a test that puts
     * something before it ({@code sh -c 'umask 002; exec "$0" "$@"'}).
     */
    static List<String> command(List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), SwarmCli.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /**
     * Runs {@code command} (from {@link #command}, perhaps behind a prefix) with {@code env} added to this process's
     * environment and stdin closed, and waits for it.
     */
    static Result run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }
}
