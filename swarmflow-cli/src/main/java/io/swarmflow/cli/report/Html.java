package io.swarmflow.cli.report;

import io.swarmflow.cli.view.Printable;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Escaping and display formats shared by the HTML and SVG renderers. */
final class Html {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private Html() {}

    /**
     * Escapes text for HTML element content and quoted attribute values (also inside inline SVG):
     * {@code & < > " '}; control characters other than tab, newline and carriage return (which HTML does not
     * allow, and browsers show as boxes) in caret notation as on the terminal ({@code ESC} as {@code ^[},
     * {@code DEL} as {@code ^?}, C1 as {@code \x9b}). Null becomes the empty string.
     */
    static String esc(String text) {
        if (text == null) return "";
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String rep = switch (c) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '"' -> "&quot;";
                case '\'' -> "&#39;";
                case '\t', '\n', '\r' -> null;
                default -> Printable.isControl(c) ? Printable.notation(c) : null;
            };
            if (rep != null && sb == null) sb = new StringBuilder(text.length() + 16).append(text, 0, i);
            if (sb != null) {
                if (rep != null) sb.append(rep);
                else sb.append(c);
            }
        }
        return sb == null ? text : sb.toString();
    }

    /** At most {@code max} characters, an ellipsis marking a cut. */
    static String shorten(String text, int max) {
        return text == null ? "" : Printable.shorten(text, max);
    }

    /** {@code 2025-01-31 12:00:03 UTC}, or an em dash for 0. */
    static String time(long epochMillis) {
        return epochMillis <= 0 ? "—" : TIME.format(Instant.ofEpochMilli(epochMillis));
    }

    /**
     * A duration as the terminal writes it ({@link io.swarmflow.cli.view.Durations#format}: {@code 850ms}, {@code 12.3s},
     * {@code 4m05s}, {@code 2h03m}), so that the report and {@code swarm status} say the same; an em dash for null.
     */
    static String duration(Long millis) {
        return millis == null ? "—" : io.swarmflow.cli.view.Durations.format(millis);
    }

    /** Compact offset for axis labels: {@code 0}, {@code 500ms}, {@code 1.5s}, {@code 30s}, {@code 1m30s}, {@code 2h}, {@code 3d12h}. */
    static String offset(long ms) {
        if (ms == 0) return "0";
        if (ms < 1_000) return ms + "ms";
        if (ms < 60_000 && ms % 1000 != 0) return String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0);
        long s = ms / 1000;
        long d = s / 86_400, h = (s % 86_400) / 3600, m = (s % 3600) / 60, sec = s % 60;
        StringBuilder sb = new StringBuilder();
        if (d > 0) sb.append(d).append('d');
        if (h > 0) sb.append(h).append('h');
        if (m > 0) sb.append(m).append('m');
        if (sec > 0 || sb.isEmpty()) sb.append(sec).append('s');
        return sb.toString();
    }
}
