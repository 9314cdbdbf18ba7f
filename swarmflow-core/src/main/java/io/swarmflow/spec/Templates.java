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
 * <p>{@code $${{} stands for a literal {@code ${{}: it is not a reference, and the last stage of rendering
 * ({@link #unescape}) turns it into {@code ${{}. Substituted values are inserted with every {@code ${{} in them
 * escaped that way, so a value (a variable, a matrix value, a ticket's output) is always literal text and is
 * never read as a reference by a later stage.
 */
public final class Templates {
    /** One reference: {@code ${{}}, optional spaces, a dotted path, optional spaces, {@code }}}; not after a {@code $}. */
    public static final Pattern REFERENCE = Pattern.compile("(?<!\\$)\\$\\{\\{\\s*([A-Za-z0-9_.\\-]+)\\s*}}");
    /** An opening {@code ${{} that is not escaped as {@code $${{}. */
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

    /** Character offsets of each {@code ${{} that is not escaped, complete reference or not. */
    static List<Integer> openings(String text) {
        List<Integer> all = new ArrayList<>();
        if (text == null) return all;
        Matcher open = OPENING.matcher(text);
        while (open.find()) all.add(open.start());
        return all;
    }

    /**
     * Character offsets of each {@code ${{} (not escaped) that does not begin a well-formed reference: an
     * unterminated one, or one whose expression is not a dotted path.
     */
    public static List<Integer> malformed(String text) {
        List<Integer> bad = new ArrayList<>();
        if (text == null) return bad;
        Matcher open = OPENING.matcher(text);
        Matcher ref = REFERENCE.matcher(text);
        while (open.find()) {
            if (!ref.find(open.start()) || ref.start() != open.start()) bad.add(open.start());
        }
        return bad;
    }

    /**
     * Replaces each reference whose expression {@code lookup} resolves (non-null result), with every
     * {@code ${{} in the value escaped; leaves the others untouched so that a later stage can resolve them.
     * Escaped {@code $${{} stays as it is: see {@link #unescape}.
     */
    public static String render(String text, Function<String, String> lookup) {
        if (text == null || text.indexOf("${{") < 0) return text;
        Matcher m = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            String value = lookup.apply(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(value != null ? escape(value) : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * The one pass that renders a ticket's {@code run} or an {@code env} value when its attempt starts:
     * {@code vars.NAME} from {@code vars}, {@code matrix.NAME} from {@code matrix}, any other expression
     * ({@code tickets.ID.outputs.NAME}, {@code run.id}) from {@code other}; an expression none of them knows
     * becomes empty (validation has refused those). Then {@link #unescape}. One pass matters: text with
     * values in it must not be parsed again, as a value ending in {@code $} followed by {@code {{...}}} would
     * then read as a reference, or one followed by a reference as an escaped {@code $${{}.
     *
     * @param other resolves the remaining expressions; null for unknown
     */
    public static String renderRunTime(String text, Map<String, String> vars, Map<String, String> matrix, Function<String, String> other) {
        if (text == null) return null;
        String rendered = render(text, expr -> {
            String value;
            if (expr.startsWith("vars.")) value = vars.get(expr.substring("vars.".length()));
            else if (expr.startsWith("matrix.")) value = matrix.get(expr.substring("matrix.".length()));
            else value = other.apply(expr);
            return value == null ? "" : value;
        });
        return unescape(rendered);
    }

    /** {@code ${{} as {@code $${{}, so that {@code text} is literal to {@link #render}. */
    public static String escape(String text) {
        return text.replace("${{", "$${{");
    }

    /** The last stage of rendering: {@code $${{} becomes {@code ${{}. */
    public static String unescape(String text) {
        return text == null ? null : text.replace("$${{", "${{");
    }
}
