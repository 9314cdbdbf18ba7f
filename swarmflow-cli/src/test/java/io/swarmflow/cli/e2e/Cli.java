package io.swarmflow.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmflow.cli.SwarmCli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code swarm} in-process and captures what it prints; helpers for specs and git repositories. */
final class Cli {
    static final ObjectMapper JSON = new ObjectMapper();

    private Cli() {}

    /** Exit code and output of one command. */
    record Result(int code, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + out + "\nstderr: " + err, e);
            }
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** A live buffer, readable while the command still writes to it. */
    static final class Capture {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        byte[] bytes() {
            synchronized (bytes) {
                return bytes.toByteArray();
            }
        }

        String text() {
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }
    }

    static Result swarm(String... args) {
        Capture out = new Capture();
        Capture err = new Capture();
        int code = SwarmCli.execute(args, out.stream, err.stream);
        return new Result(code, out.text(), err.text());
    }

    static Path write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            return Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code git init}s {@code dir} with one committed file. */
    static Path gitRepo(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("README.md"), "a test repository\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        git(dir, "init", "-q", "-b", "main");
        git(dir, "config", "user.name", "Swarm Test");
        git(dir, "config", "user.email", "swarm-test@example.invalid");
        git(dir, "add", "README.md");
        git(dir, "commit", "-q", "-m", "initial");
        return dir;
    }

    static String git(Path dir, String... args) {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", dir.toString()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new AssertionError(cmd + " failed: " + out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Sends signal {@code name} (INT, TERM, ...) to process {@code pid} with kill(1). */
    static void signal(long pid, String name) {
        try {
            Process p = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new AssertionError("kill -" + name + " " + pid + " failed");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The ticket {@code id} in a {@code status --json} document. */
    static JsonNode ticket(JsonNode status, String id) {
        for (JsonNode t : status.get("tickets")) if (t.get("id").asText().equals(id)) return t;
        throw new AssertionError("no ticket " + id + " in " + status);
    }
}
