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
        List<Integer> bad = new ArrayList<>();
        if (text == null) return bad;
        // one pass each: searching for a reference from every opening rescanned the rest of the text for each bad one
        java.util.Set<Integer> references = new java.util.HashSet<>();
        Matcher ref = REFERENCE.matcher(text);
        while (ref.find()) references.add(ref.start());
        Matcher open = OPENING.matcher(text);
        while (open.find()) {
            if (!references.contains(open.start())) bad.add(open.start());
        }
        return bad;
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
        StringBuilder out = new StringBuilder(text.length());
        int literal = 0;
        while (m.find()) {
            out.append(unescape(text.substring(literal, m.start())));
            String value = lookup.apply(m.group(1));
            out.append(value != null ? value : m.group());
            literal = m.end();
        }
        out.append(unescape(text.substring(literal)));
        return out.toString();
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
