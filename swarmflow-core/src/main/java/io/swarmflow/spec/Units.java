package io.swarmflow.spec;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations ({@code 500ms}, {@code 90s}, {@code 10m}, {@code 1h30m}, {@code 2d}) and sizes
 * ({@code 512}, {@code 64KiB}, {@code 100MB}, {@code 2g}) as written in swarm specs.
 */
final class Units {
    private static final Pattern DURATION = Pattern.compile("(?:\\d+(?:ms|s|m|h|d))+");
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d+) *(B|KiB|MiB|GiB|TiB|KB|MB|GB|TB|k|m|g|K|M|G)?");

    static final String DURATION_HINT = "use a number with a unit: 500ms, 90s, 10m, 1h";
    /** The longest duration: 100 years, so that any of them in nanoseconds, or added to a clock, still fits in a long. */
    static final long MAX_DURATION_MILLIS = 36_500L * 86_400_000L;
    static final String SIZE_HINT = "use bytes or a number with a unit: 512, 64KiB, 100MiB, 2GiB, 10MB";

    private Units() {}

    /** Milliseconds of a duration text; {@code 0} alone is accepted as "none". */
    static long durationMillis(String text) {
        // not stripped: docs/swarm.schema.json's pattern refuses spaces around a quoted duration too
        if (text.equals("0")) return 0;
        if (!DURATION.matcher(text).matches()) throw new IllegalArgumentException("invalid duration '" + text + "'");
        Matcher m = DURATION_PART.matcher(text);
        long total = 0;
        try {
            while (m.find()) {
                long n = Long.parseLong(m.group(1));
                long unit = switch (m.group(2)) {
                    case "ms" -> 1;
                    case "s" -> 1_000;
                    case "m" -> 60_000;
                    case "h" -> 3_600_000;
                    default -> 86_400_000;
                };
                total = Math.addExact(total, Math.multiplyExact(n, unit));
            }
        } catch (ArithmeticException | NumberFormatException e) {
            total = Long.MAX_VALUE;
        }
        if (total > MAX_DURATION_MILLIS) throw new IllegalArgumentException("duration '" + text + "' is too large (more than 36500d)");
        return total;
    }

    private static final Pattern WORD_UNIT = Pattern.compile("(\\d+)(milliseconds?|millis|msecs?|seconds?|secs?|minutes?|mins?|hours?|hrs?|days?)");
    private static final Pattern FRACTION = Pattern.compile("(\\d+)\\.(\\d{1,3})(d|h|m|s)");
    private static final Pattern WEEKS = Pattern.compile("(\\d{1,4})(weeks?|w)");

    /**
     * {@link #DURATION_HINT}, with the duration {@code text} probably means when it is a usual other way to write one
     * ({@code 1h 30m}, {@code 1H}, {@code 30min}, {@code 1.5h}, {@code 2w}), as {@code ; did you mean '90m'?}.
     */
    static String durationHint(String text) {
        String t = text.strip().replace(" ", "").toLowerCase(Locale.ROOT);
        t = WORD_UNIT.matcher(t).replaceAll(m -> m.group(1) + switch (m.group(2).charAt(0)) {
            case 's' -> "s";
            case 'h' -> "h";
            case 'd' -> "d";
            default -> m.group(2).startsWith("mi") && !m.group(2).startsWith("mil") ? "m" : "ms";
        });
        t = WEEKS.matcher(t).replaceAll(m -> Integer.parseInt(m.group(1)) * 7 + "d");
        t = FRACTION.matcher(t).replaceAll(m -> {
            // 1.5h is 90m: the next smaller unit, when the fraction comes out whole in it
            long smaller = switch (m.group(3)) { case "d" -> 24; case "h", "m" -> 60; default -> 1000; };
            long scale = (long) Math.pow(10, m.group(2).length());
            long whole = Long.parseLong(m.group(1)) * smaller * scale + Long.parseLong(m.group(2)) * smaller;
            if (whole % scale != 0) return m.group();
            String unit = switch (m.group(3)) { case "d" -> "h"; case "h" -> "m"; case "m" -> "s"; default -> "ms"; };
            return whole / scale + unit;
        });
        if (t.equals(text) || !DURATION.matcher(t).matches()) return DURATION_HINT;
        return DURATION_HINT + "; did you mean '" + t + "'?";
    }

    /** Bytes of a size text. KiB/MiB/GiB/TiB and k/m/g are binary (1024), KB/MB/GB/TB decimal (1000). */
    static long bytes(String text) {
        Matcher m = SIZE.matcher(text); // not stripped, as in the schema's pattern
        if (!m.matches()) throw new IllegalArgumentException("invalid size '" + text + "'");
        String unit = m.group(2) == null ? "B" : m.group(2);
        long factor = switch (unit) {
            case "B" -> 1L;
            case "KiB", "k", "K" -> 1L << 10;
            case "MiB", "m", "M" -> 1L << 20;
            case "GiB", "g", "G" -> 1L << 30;
            case "TiB" -> 1L << 40;
            case "KB" -> 1_000L;
            case "MB" -> 1_000_000L;
            case "GB" -> 1_000_000_000L;
            default -> 1_000_000_000_000L;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), factor);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("size '" + text + "' is too large");
        }
    }

    /** A size for people: {@code 512 bytes}, {@code 64.0 KiB}, {@code 10.0 MiB}. */
    static String human(long bytes) {
        if (bytes >= 1L << 30) return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        if (bytes >= 1L << 20) return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        if (bytes >= 1L << 10) return String.format(Locale.ROOT, "%.1f KiB", bytes / (double) (1L << 10));
        return bytes + " bytes";
    }

    /**
     * A size to the byte, with the binary unit when it is a whole number of them: {@code 1,100,000 bytes},
     * {@code 1,048,576 bytes (1 MiB)}, {@code 512 bytes}.
     */
    static String exact(long bytes) {
        String text = String.format(Locale.ROOT, "%,d bytes", bytes);
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        for (int i = units.length - 1; i >= 0; i--) {
            long unit = 1L << (10 * (i + 1));
            if (bytes >= unit && bytes % unit == 0) return text + " (" + (bytes / unit) + " " + units[i] + ")";
        }
        return text;
    }

    /**
     * {@code size} against {@code limit} for people: rounded ({@code 10.0 MiB}, {@code 1.0 MiB}), or to the
     * byte when the rounded figures would look the same.
     */
    static String sizeAndLimit(long size, long limit) {
        String s = human(size);
        String l = human(limit);
        if (s.equals(l)) {
            s = exact(size);
            l = exact(limit);
        }
        return s + "; the limit is " + l;
    }
}
