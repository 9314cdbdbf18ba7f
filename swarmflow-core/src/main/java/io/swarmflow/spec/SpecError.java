package io.swarmflow.spec;

/**
 * One problem in a swarm spec, located in the file.
 *
 * @param file    path of the spec as the user gave it
 * @param line    1-based line, or 0 when the problem concerns the whole file
 * @param column  1-based column, or 0 when unknown
 * @param message what is wrong
 * @param hint    how to fix it (may be empty)
 */
public record SpecError(String file, int line, int column, String message, String hint) {
    /** {@code file:line:column: message; hint}, the form every command prints. */
    public String format() {
        StringBuilder sb = new StringBuilder(file);
        if (line > 0) sb.append(':').append(line).append(':').append(Math.max(column, 1));
        sb.append(": ").append(message);
        if (hint != null && !hint.isEmpty()) sb.append("; ").append(hint);
        return sb.toString();
    }
}
