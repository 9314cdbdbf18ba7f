package io.swarmflow.cli.view;

/**
 * Text from tickets (their output, failure reasons) made safe to print on a terminal: every control character
 * (C0 except tab, DEL, C1) is shown in caret notation ({@code ESC} as {@code ^[}, NUL as {@code ^@}, DEL as
 * {@code ^?}) or, for C1, as {@code \x9b}-style hex, the way {@code cat -v} shows them, and a tab becomes a space;
 * a bidirectional override or isolate, or a line separator, is shown as {@code \u202e} (see {@link #isControl}).
 * Without this a ticket could move the cursor, clear the screen, set the window title or write hyperlinks
 * through Swarmflow's own progress view (ECMA-48 control functions). The log files keep the bytes as written;
 * {@code swarm logs} prints them as they are when piped or with {@code --raw}, and on a terminal through
 * {@link PrintableBytes}, which shows them the same way but keeps colours, and shows a byte 0x80-0x9F that is not part
 * of valid UTF-8 (an 8-bit C1 control to a terminal in a Latin-1 locale) as {@code \x9b} too.
 */
public final class Printable {
    private Printable() {}

    /** {@code text} with its control characters made visible; the same instance when it has none; null stays null. */
    public static String of(String text) {
        if (text == null) return null;
        int i = 0;
        while (i < text.length() && !isControl(text.charAt(i))) i++;
        if (i == text.length()) return text;
        StringBuilder sb = new StringBuilder(text.length() + 8).append(text, 0, i);
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!isControl(c)) sb.append(c);
            else if (c == '\t') sb.append(' ');
            else sb.append(notation(c));
        }
        return sb.toString();
    }

    /**
     * {@code text} if it has at most {@code max} characters, else its first {@code max - 1} and an ellipsis; a cut
     * never splits a surrogate pair (an emoji), which would print as {@code ?}. Null stays null.
     */
    public static String shorten(String text, int max) {
        if (text == null || text.length() <= max) return text;
        return text.substring(0, cutBefore(text, Math.max(1, max - 1))) + "…";
    }

    /**
     * Characters of a failure, skip or rejection reason shown where it stands in a line or a cell: a reason can be up to
     * 64 KiB (a failure's ends with stderr's last line), kilobytes that made one line of the progress view pages long.
     * report.html, the progress view, {@code swarm status RUN TICKET}'s first line and attempt table, and
     * {@code swarm logs} cut longer ones (the ticket table of {@code swarm status} and of the summary cuts at
     * {@link Tables#REASON_CELL_CHARS}, being narrower, and says so under the table); each keeps a closing
     * {@code " (no retry: ...)"} clause at the end of what it shows ({@link #noRetryClause}). The whole
     * reason is in report.json, in {@code swarm status --json}, and below the first line of {@code swarm status RUN TICKET}.
     */
    public static final int REASON_CHARS = 200;

    /**
     * {@code reason} if it has at most {@link #REASON_CHARS} characters, else its first {@link #REASON_CHARS} (never
     * cut inside a surrogate pair) and {@code " …"}; null stays null. A reason that ends with the engine's
     * {@code " (no retry: ...)"} clause ({@link #noRetryClause}) keeps it after the {@code " …"}, in place of as many of
     * its first characters: a guard's reason of 300 characters would otherwise never show that it was not retried.
     */
    public static String cutReason(String reason) {
        if (reason == null || reason.length() <= REASON_CHARS) return reason;
        String clause = noRetryClause(reason, REASON_CHARS);
        String body = reason.substring(0, reason.length() - clause.length());
        return body.substring(0, cutBefore(body, REASON_CHARS - clause.length())) + " …" + clause;
    }

    /**
     * {@code reason} cut to {@code max} characters as {@link #shorten} cuts text, keeping its closing
     * {@code " (no retry: ...)"} clause ({@link #noRetryClause}) after the ellipsis as {@link #cutReason(String)} does:
     * {@code "exited with code 1: long lin… (no retry: it would fail the same way)"}. Null stays null.
     *
     * @param max at least 2
     */
    public static String shortenReason(String reason, int max) {
        if (reason == null || reason.length() <= max) return reason;
        String clause = noRetryClause(reason, max);
        if (clause.isEmpty()) return shorten(reason, max);
        String body = reason.substring(0, reason.length() - clause.length());
        return body.substring(0, cutBefore(body, Math.max(1, max - 1 - clause.length()))) + "…" + clause;
    }

    /**
     * The clause the engine ends the reason of a ticket that failed for good with, when it gave it no retry it had left
     * ({@code " (no retry: it would fail the same way)"}, {@code " (no retry: fail-fast after build failed)"}), with its
     * leading space; "" when {@code reason} does not end with one, or with one longer than half of {@code max} (a cut to
     * {@code max} keeps it only when most of the room stays for the reason itself).
     */
    static String noRetryClause(String reason, int max) {
        if (!reason.endsWith(")")) return "";
        int at = reason.lastIndexOf(" (no retry: ");
        if (at < 0 || reason.length() - at > max / 2 || reason.indexOf(')', at) != reason.length() - 1) return "";
        return reason.substring(at);
    }

    /**
     * {@link #cutReason(String)}, followed when it was cut by its length and where it is whole, e.g.
     * {@code " (70000 characters, all in report.json)"} for {@code whole} "in report.json"; null stays null.
     */
    public static String cutReason(String reason, String whole) {
        if (reason == null || reason.length() <= REASON_CHARS) return reason;
        return cutReason(reason) + " (" + reason.length() + " characters, all " + whole + ")";
    }

    /** {@code index}, or one less when it falls between the two halves of a surrogate pair. */
    public static int cutBefore(String text, int index) {
        return index > 0 && index < text.length() && Character.isLowSurrogate(text.charAt(index))
                && Character.isHighSurrogate(text.charAt(index - 1)) ? index - 1 : index;
    }

    /**
     * How control character {@code c} is shown: {@code ^[} for ESC, {@code ^?} for DEL, {@code \x9b} for C1,
     * {@code \u202e} for a bidirectional control or a line or paragraph separator.
     */
    public static String notation(char c) {
        if (c < 0x20) return "^" + (char) (c + 0x40);
        if (c == 0x7f) return "^?";
        if (c > 0xff) return String.format(java.util.Locale.ROOT, "\\u%04x", (int) c);
        return String.format(java.util.Locale.ROOT, "\\x%02x", (int) c);
    }

    /**
     * C0 (tab included), DEL, C1, the bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069),
     * which reorder the rest of a line on screen ("Trojan Source", CVE-2021-42574), and the line and paragraph
     * separators U+2028 and U+2029. The marks U+200E and U+200F, which reorder nothing past their neighbours, are text.
     */
    public static boolean isControl(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
                || c == 0x2028 || c == 0x2029;
    }
}
