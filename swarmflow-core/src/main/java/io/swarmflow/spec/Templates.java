package io.swarmflow.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code ${{ expression }}} substitution used in {@code run}, {@code env} and {@code title}.
 * Expressions are dotted paths: {@code vars.NAME}, {@code matrix.NAME},
 * {@code tickets.ID.outputs.NAME}, {@code run.id}. There is no evaluation beyond lookup.
 */
public final class Templates {
    /** One reference: {@code ${{}}, optional spaces, a dotted path, optional spaces, {@code }}}. */
    public static final Pattern REFERENCE = Pattern.compile("\\$\\{\\{\\s*([A-Za-z0-9_.\\-]+)\\s*}}");

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

    /**
     * Replaces each reference whose expression {@code lookup} resolves (non-null result); leaves the
     * others untouched so that a later stage can resolve them.
     */
    public static String render(String text, Function<String, String> lookup) {
        if (text == null || text.indexOf("${{") < 0) return text;
        Matcher m = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            String value = lookup.apply(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(value != null ? value : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }
}
