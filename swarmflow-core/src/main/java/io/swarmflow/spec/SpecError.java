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
    /**
     * {@code text} safe to print on a terminal: control characters (C0, DEL, C1), line and paragraph separators and the
     * Unicode bidirectional controls become escapes as YAML writes them ({@code \n}, {@code \t}, {@code \r}, else a
     * backslash, {@code u} and four hexadecimal digits), so text from a spec or a command line cannot move the cursor,
     * change colours, set the window title or reorder what is shown, nor split one error over several lines.
     */
    public static String printable(String text) {
        if (text == null) return null;
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String escape = switch (c) {
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                default -> c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029 || c == 0x200E || c == 0x200F
                        || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)
                        ? String.format("\\u%04X", (int) c) : null;
            };
            if (escape != null && out == null) out = new StringBuilder(text.length() + 16).append(text, 0, i);
            if (out != null) {
                if (escape != null) out.append(escape);
                else out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    /** {@code file:line:column: message; hint}, the form every command prints. */
    public String format() {
        StringBuilder sb = new StringBuilder(file);
        if (line > 0) sb.append(':').append(line).append(':').append(Math.max(column, 1));
        sb.append(": ").append(message);
        if (hint != null && !hint.isEmpty()) sb.append("; ").append(hint);
        return sb.toString();
    }
}
