package io.swarmflow.spec;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;

/** Collects every problem found in one spec, so the user sees them all at once, in file order. */
final class Problems {
    /** More errors than this are summarized; a broken spec should not flood the terminal. */
    static final int MAX_SHOWN = 200;

    private final String file;
    private final Set<SpecError> errors = new LinkedHashSet<>();

    Problems(String file) {
        this.file = SpecError.printable(file);
    }

    String file() {
        return file;
    }

    void at(Node node, String message, String hint) {
        at(node == null ? null : node.getStartMark(), message, hint);
    }

    void at(Mark mark, String message, String hint) {
        if (mark == null) {
            at(0, 0, message, hint);
        } else {
            at(mark.getLine() + 1, mark.getColumn() + 1, message, hint);
        }
    }

    void at(int line, int column, String message, String hint) {
        // messages quote the spec's own text (ids, keys, values, SnakeYAML's view of a bad character)
        errors.add(new SpecError(file, line, column, SpecError.printable(message), hint == null ? "" : SpecError.printable(hint)));
    }

    private final Set<SpecError> warnings = new LinkedHashSet<>();

    /** Something the spec may do but should not (it still loads): reported once per place, whatever repeats it. */
    void warnAt(Mark mark, String message, String hint) {
        warnings.add(new SpecError(file, mark == null ? 0 : mark.getLine() + 1, mark == null ? 0 : mark.getColumn() + 1,
                SpecError.printable(message), hint == null ? "" : SpecError.printable(hint)));
    }

    /** The warnings sorted by position. */
    List<SpecError> warnings() {
        List<SpecError> sorted = new ArrayList<>(warnings);
        sorted.sort(Comparator.comparingInt(SpecError::line).thenComparingInt(SpecError::column));
        return sorted;
    }

    /** A problem with the whole file or the command line rather than one place in it. */
    void whole(String message, String hint) {
        at(0, 0, message, hint);
    }

    boolean isEmpty() {
        return errors.isEmpty();
    }

    /** How many problems were recorded so far; a check can tell whether one it relies on was reported. */
    int size() {
        return errors.size();
    }

    /** The problems sorted by position (whole-file ones first), as an exception to throw. */
    SpecException exception() {
        List<SpecError> sorted = new ArrayList<>(errors);
        sorted.sort(Comparator.comparingInt(SpecError::line).thenComparingInt(SpecError::column));
        int total = sorted.size();
        if (total > MAX_SHOWN) {
            int more = total - MAX_SHOWN;
            sorted = new ArrayList<>(sorted.subList(0, MAX_SHOWN));
            sorted.add(new SpecError(file, 0, 0, more + (more == 1 ? " more error" : " more errors") + " not shown",
                    "fix the ones above first"));
        }
        return new SpecException(sorted, total);
    }

    /**
     * Edit-distance cells that did-you-mean suggestions may still compute, about a second's worth: a spec with tens of
     * thousands of unknown names among tens of thousands of known ones would otherwise take hours. The first ones get
     * their suggestion; later ones get the other hint.
     */
    private long suggestionCells = 50_000_000L;

    /** Whether suggestions are still being made (the budget is not spent). */
    boolean suggesting() {
        return suggestionCells > 0;
    }

    /**
     * The known name closest to {@code given} (edit distance at most 2, a swap of adjacent letters counting 1, and shorter
     * than the longer of the two), or null (also once the budget is spent).
     */
    String closest(String given, Collection<String> known) {
        if (!suggesting()) return null;
        return Names.nearest(given, known, cells -> suggestionCells -= cells);
    }

    /** "did you mean 'x'?" when a known name is close to {@code given}, else {@code otherwise}. */
    String didYouMean(String given, Collection<String> known, String otherwise) {
        String c = closest(given, known);
        return c != null ? "did you mean '" + c + "'?" : otherwise;
    }
}
