package io.swarmflow.files.proc;

import java.util.OptionalLong;

/**
 * One line of {@code /proc/PID/stat} (Linux, see proc(5)), split into its fields. The command name (field 2) is in
 * parentheses and may itself contain spaces and parentheses, so the line is cut at the first {@code '('} and the last
 * {@code ')'}; the fields after it are separated by single spaces. Shared by the engine's coordinator identities
 * ({@code io.swarmflow.engine.Owners}) and the sandbox's process groups ({@code io.swarmflow.sandbox.ProcessGroups}).
 *
 * @param pid     field 1, the process id
 * @param command field 2 without its parentheses
 * @param fields  fields 3 on: index {@code n - 3} holds field {@code n} (as read; may be fewer than proc(5) lists)
 */
public record ProcStat(long pid, String command, String[] fields) {
    /** Field 22 of proc(5): the process's start time in clock ticks after the boot. */
    public static final int START_TIME_FIELD = 22;

    /**
     * Parses {@code line}, the content of a {@code /proc/PID/stat}.
     *
     * @return null when {@code line} is null or not of that shape (no parenthesized command followed by fields, or a pid
     *         that is not a number)
     */
    public static ProcStat parse(String line) {
        if (line == null) return null;
        int open = line.indexOf('(');
        int close = line.lastIndexOf(')');
        if (open < 0 || close < open || close + 2 >= line.length()) return null;
        try {
            return new ProcStat(Long.parseLong(line.substring(0, open).strip()), line.substring(open + 1, close),
                    line.substring(close + 2).split(" "));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Field {@code n} (3 or more, numbered as in proc(5)), or null when the line has fewer fields. */
    public String field(int n) {
        if (n < 3) throw new IllegalArgumentException("field " + n + " is not among the fields after the command (3 on)");
        return n - 3 < fields.length ? fields[n - 3] : null;
    }

    /**
     * The start time ({@link #START_TIME_FIELD}, field 22) in clock ticks after the boot ({@code sysconf(_SC_CLK_TCK)}
     * per second; it does not move when the wall clock is set); empty when absent or not a non-negative number.
     */
    public OptionalLong startTicks() {
        String f = field(START_TIME_FIELD);
        if (f == null) return OptionalLong.empty();
        try {
            long ticks = Long.parseLong(f.strip());
            return ticks >= 0 ? OptionalLong.of(ticks) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
