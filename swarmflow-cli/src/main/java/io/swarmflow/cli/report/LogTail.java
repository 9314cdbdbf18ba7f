package io.swarmflow.cli.report;

import io.swarmflow.cli.view.Printable;
import io.swarmflow.files.mask.Masking;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The last lines of a log file, read from its end so a 10 MiB log costs no more than a small one.
 *
 * @param lines     at most the requested number of lines, oldest first, ANSI escape sequences removed; a line ends at an
 *                  LF (a CR LF counting as one), and of a line a lone CR overwrote (a progress bar's {@code 10%\r20%}) only
 *                  the text after the last lone CR is kept, as the plain view shows it: each bar counts as one line
 * @param truncated whether the file holds more lines than {@code lines}
 */
record LogTail(List<String> lines, boolean truncated) {
    /** Bytes read from the end at most; lines beyond it are not shown even if fewer than requested. */
    static final int MAX_BYTES = 256 * 1024;
    /** Longer lines are cut so one runaway line cannot flood the report. */
    static final int MAX_LINE_CHARS = 2_000;

    /**
     * CSI sequences (colors, cursor), OSC strings (window title, hyperlinks: up to BEL or ST) and other ESC sequences. An
     * OSC string without its terminator on the line loses only its {@code ESC ]} (as any two-character ESC sequence),
     * not the rest of the line (the error after it) with it. The C1 forms that UTF-8 terminals obey as well, CSI
     * U+009B and OSC U+009D (ended by BEL, ST U+009C or ESC \\), go the same way (ECMA-48 section 5.3).
     */
    private static final Pattern ANSI = Pattern.compile(
            "\u001B\\[[0-?]*[ -/]*[@-~]|\u001B\\][^\u0007\u001B\u009C]*(?:\u0007|\u001B\\\\|\u009C)|\u001B[@-Z\\\\-_]"
                    + "|\u009B[0-?]*[ -/]*[@-~]|\u009D[^\u0007\u001B\u009C]*(?:\u0007|\u001B\\\\|\u009C)");
    /** A line's end: an LF, with any CRs before it (a CR LF, or a progress bar's last state ended {@code \r\n}). */
    private static final Pattern LINE_END = Pattern.compile("\r*\n");
    /** C0 controls but tab, DEL, and the C1 controls U+0080-U+009F (a lone CSI or OSC left by {@link #ANSI} among them). */
    private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x08\\x0B-\\x1F\\x7F-\\x9F]");

    static final LogTail EMPTY = new LogTail(List.of(), false);

    LogTail {
        lines = List.copyOf(lines);
    }

    /** Reads the last {@code maxLines} lines of {@code file}; a missing or unreadable file gives {@link #EMPTY}. */
    static LogTail read(Path file, int maxLines) {
        return read(file, maxLines, List.of());
    }

    /**
     * Reads the last {@code maxLines} lines of {@code file}, each masked again with {@code secrets} once its escape
     * sequences are removed ({@link Masking#mask}): the log was masked as it was written, and this is defence in depth
     * for a secret whose pieces only removing the sequences brings together (review R5). A missing or unreadable file
     * gives {@link #EMPTY}.
     */
    static LogTail read(Path file, int maxLines, java.util.Collection<String> secrets) {
        if (!Files.isRegularFile(file)) return EMPTY;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long size = raf.length();
            int len = (int) Math.min(size, MAX_BYTES);
            byte[] buf = new byte[len];
            raf.seek(size - len);
            raf.readFully(buf);
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(java.nio.ByteBuffer.wrap(buf)).toString();
            // a lone CR overwrites its line: of a progress bar's states (10%\r20%\r30%) the last alone counts toward the
            // tail, as the plain view shows it, so that a bar does not push the error before it out of the tail
            List<String> all = new ArrayList<>(List.of(LINE_END.split(text, -1)));
            all.replaceAll(LogTail::lastState);
            boolean cutAtStart = len < size;
            if (cutAtStart && !all.isEmpty()) all.removeFirst(); // a partial line
            if (!all.isEmpty() && all.getLast().isEmpty()) all.removeLast(); // the final newline
            boolean truncated = cutAtStart || all.size() > maxLines;
            List<String> tail = all.subList(Math.max(0, all.size() - maxLines), all.size());
            List<String> clean = new ArrayList<>(tail.size());
            for (String line : tail) clean.add(clean(line, secrets));
            return new LogTail(clean, truncated);
        } catch (IOException e) {
            return EMPTY;
        }
    }

    /**
     * What is left of a line (without its LF) that lone CRs overwrote: the text after the last CR that has text after
     * it; a line of CRs alone is empty. {@code "10%\r20%\r"} gives {@code 20%}, {@code "\rnext"} gives {@code next}.
     */
    static String lastState(String line) {
        int end = line.length();
        while (end > 0 && line.charAt(end - 1) == '\r') end--; // trailing CRs (at the file's end) overwrite nothing yet
        return line.substring(line.lastIndexOf('\r', end - 1) + 1, end);
    }

    static String clean(String line) {
        return clean(line, List.of());
    }

    /** {@link #clean(String)}, masking {@code secrets} once the escape sequences are removed (before a long line is cut). */
    static String clean(String line, java.util.Collection<String> secrets) {
        String s = CONTROL.matcher(Masking.mask(ANSI.matcher(line).replaceAll(""), secrets)).replaceAll("\uFFFD");
        return s.length() > MAX_LINE_CHARS ? s.substring(0, Printable.cutBefore(s, MAX_LINE_CHARS)) + " …" : s;
    }

    boolean isEmpty() {
        return lines.isEmpty();
    }
}
