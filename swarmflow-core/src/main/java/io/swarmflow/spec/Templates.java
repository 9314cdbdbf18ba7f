package io.swarmflow.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code ${{ expression }}} substitution used in {@code run}, {@code env} and {@code title}.
 * Expressions are dotted paths: {@code vars.NAME}, {@code matrix.NAME},
 * {@code tickets.ID.outputs.NAME}, {@code run.id}. There is no evaluation beyond lookup.
 *
 * <p><code>$${{</code> stands for a literal <code>${{</code>: it is not a reference, and rendering turns it into
 * <code>${{</code>. A text is rendered in one pass ({@link #render}), so a substituted value (a variable, a matrix
 * value, a ticket's output) is always literal text: load-time texts when the spec is loaded, a ticket's
 * {@code run} and {@code env} when its attempt starts.
 */
public final class Templates {
    /** One reference: <code>${{</code>, optional spaces, a dotted path, optional spaces, <code>}}</code>; not after a <code>$</code>. */
    public static final Pattern REFERENCE = Pattern.compile("(?<!\\$)\\$\\{\\{\\s*([A-Za-z0-9_.\\-]+)\\s*}}");
    /** An opening <code>${{</code> that is not escaped as <code>$${{</code>. */
    static final Pattern OPENING = Pattern.compile("(?<!\\$)\\$\\{\\{");

    private Templates() {}

    /** A reference found in a text: the expression and its character offset in the text. */
    public record Reference(String expression, int offset) {}

    /** Every reference in {@code text}, in order of appearance. */
    public static List<Reference> references(String text) {
        List<Reference> refs = new ArrayList<>();
        if (text == null) return refs;
        Matcher m = REFERENCE.matcher(text);
        while (m.find()) refs.add(new Reference(m.group(1), m.start()));
        return refs;
    }

    /** Character offsets of each <code>${{</code> that is not escaped, complete reference or not. */
    static List<Integer> openings(String text) {
        List<Integer> all = new ArrayList<>();
        if (text == null) return all;
        Matcher open = OPENING.matcher(text);
        while (open.find()) all.add(open.start());
        return all;
    }

    /**
     * Character offsets of each <code>${{</code> (not escaped) that does not begin a well-formed reference: an
     * unterminated one, or one whose expression is not a dotted path.
     */
    public static List<Integer> malformed(String text) {
        return text == null ? new ArrayList<>() : new ArrayList<>(scan(text).malformed);
    }

    /**
     * Renders {@code text} in one pass: each reference becomes what {@code lookup} returns for its expression,
     * inserted as it is (a reference it returns null for stays as written); in the text between references, each <code>$${{</code> becomes
     * <code>${{</code>. Nothing is parsed twice, so a value is always literal, including next to the text around
     * it: a value ending in {@code $} followed by {@code {{...}}}, or ending in {@code $$} followed by
     * <code>{{</code>, stays what it is. (An escaped <code>$${{</code> never straddles a reference: a reference never
     * starts right after a {@code $}.)
     */
    public static String render(String text, Function<String, String> lookup) {
        if (text == null || text.indexOf("${{") < 0) return text;
        Matcher m = REFERENCE.matcher(text);
        List<int[]> spans = new ArrayList<>();
        List<String> expressions = new ArrayList<>();
        while (m.find()) {
            spans.add(new int[] {m.start(), m.end()});
            expressions.add(m.group(1));
        }
        return render(text, spans, expressions, lookup);
    }

    /** {@link #render(String, Function)} with the references of {@code text} already found: their spans and expressions. */
    private static String render(String text, List<int[]> spans, List<String> expressions, Function<String, String> lookup) {
        StringBuilder out = new StringBuilder(text.length());
        int literal = 0;
        for (int i = 0; i < spans.size(); i++) {
            int[] span = spans.get(i);
            out.append(unescape(text.substring(literal, span[0])));
            String value = lookup.apply(expressions.get(i));
            out.append(value != null ? value : text, value != null ? 0 : span[0], value != null ? value.length() : span[1]);
            literal = span[1];
        }
        out.append(unescape(text.substring(literal)));
        return out.toString();
    }

    /**
     * A text scanned once for what the spec checks and renders in it: its openings, its malformed openings, its
     * references, and its size in UTF-8 bytes. A spec's texts are copied into many tickets ({@code defaults}, a YAML
     * alias, a matrix's expansions): {@code PlanBuilder} scans each distinct text once and asks this for each ticket,
     * in time proportional to the number of references rather than to the length of the text.
     */
    static final class Scan {
        private final String text;
        /** What {@link Templates#openings} returns for the text. */
        final List<Integer> openings;
        /** What {@link Templates#malformed} returns for the text. */
        final List<Integer> malformed;
        /** What {@link Templates#references} returns for the text. */
        final List<Reference> references;
        /** UTF-8 bytes of the text as written (an unpaired surrogate counts as the 3 bytes of its replacement). */
        final long bytes;
        private final List<int[]> spans = new ArrayList<>();
        private final List<String> expressions = new ArrayList<>();
        /** UTF-8 bytes of the text between references once rendered (each <code>$${{</code> as <code>${{</code>). */
        private final long literalBytes;

        private Scan(String text) {
            this.text = text;
            List<Reference> refs = new ArrayList<>();
            java.util.Set<Integer> starts = new java.util.HashSet<>();
            long written = 0;
            Matcher m = REFERENCE.matcher(text);
            while (m.find()) {
                refs.add(new Reference(m.group(1), m.start()));
                spans.add(new int[] {m.start(), m.end()});
                expressions.add(m.group(1));
                starts.add(m.start());
                written += utf8Length(text, m.start(), m.end());
            }
            List<Integer> open = new ArrayList<>();
            List<Integer> bad = new ArrayList<>();
            Matcher o = OPENING.matcher(text);
            while (o.find()) {
                open.add(o.start());
                if (!starts.contains(o.start())) bad.add(o.start());
            }
            references = List.copyOf(refs);
            openings = List.copyOf(open);
            malformed = List.copyOf(bad);
            bytes = utf8Length(text, 0, text.length());
            // rendering unescapes each "$${{" (one byte less); none overlaps another or a reference, which holds no '$'
            // after its first and never follows one
            int escapes = 0;
            for (int i = text.indexOf("$${{"); i >= 0; i = text.indexOf("$${{", i + 4)) escapes++;
            literalBytes = bytes - written - escapes;
        }

        /** {@link Templates#render}{@code (text, lookup)}, without scanning the text again. */
        String render(Function<String, String> lookup) {
            return text.indexOf("${{") < 0 ? text : Templates.render(text, spans, expressions, lookup);
        }

        /**
         * UTF-8 bytes of {@link #render}{@code (lookup)} without building it, in time proportional to the references:
         * {@code bytesOf} gives a value's bytes (so a caller can keep them). A surrogate pair that a substitution puts
         * together counts as its two unpaired halves, 2 bytes more than it encodes to.
         */
        long renderedBytes(Function<String, String> lookup, java.util.function.ToLongFunction<String> bytesOf) {
            long total = literalBytes;
            for (int i = 0; i < spans.size(); i++) {
                String value = lookup.apply(expressions.get(i));
                total += value != null ? bytesOf.applyAsLong(value) : utf8Length(text, spans.get(i)[0], spans.get(i)[1]);
            }
            return total;
        }
    }

    /** Scans {@code text} once for its openings, references and size ({@link Scan}). */
    static Scan scan(String text) {
        return new Scan(text);
    }

    /**
     * UTF-8 bytes of {@code s} from {@code from} to {@code to}, without encoding it (an unpaired surrogate counts as the
     * 3 bytes of its replacement).
     */
    static long utf8Length(String s, int from, int to) {
        long n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < 0x80) n++;
            else if (c < 0x800) n += 2;
            else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else n += 3;
        }
        return n;
    }

    /**
     * Renders a ticket's {@code run} or an {@code env} value when its attempt starts, with {@link #render}:
     * {@code vars.NAME} from {@code vars}, {@code matrix.NAME} from {@code matrix}, any other expression
     * ({@code tickets.ID.outputs.NAME}, {@code run.id}) from {@code other}; an expression none of them knows
     * becomes empty (validation has refused those).
     *
     * @param other resolves the remaining expressions; null for unknown
     */
    public static String renderRunTime(String text, Map<String, String> vars, Map<String, String> matrix, Function<String, String> other) {
        return render(text, expr -> {
            String value;
            if (expr.startsWith("vars.")) value = vars.get(expr.substring("vars.".length()));
            else if (expr.startsWith("matrix.")) value = matrix.get(expr.substring("matrix.".length()));
            else value = other.apply(expr);
            return value == null ? "" : value;
        });
    }

    /**
     * The names of swarm's environment variables that {@code values} read with <code>${{ env.NAME }}</code> (a
     * ticket's {@code env:}), sorted.
     *
     * @param values texts as the spec writes them, references included
     * @return the names, empty when none is read
     */
    public static java.util.SortedSet<String> environmentNames(java.util.Collection<String> values) {
        java.util.SortedSet<String> names = new java.util.TreeSet<>();
        for (String value : values) {
            for (Reference r : references(value)) {
                if (r.expression().startsWith("env.")) names.add(r.expression().substring("env.".length()));
            }
        }
        return names;
    }

    /** <code>$${{</code> becomes <code>${{</code>. */
    private static String unescape(String text) {
        return text.replace("$${{", "${{");
    }
}
