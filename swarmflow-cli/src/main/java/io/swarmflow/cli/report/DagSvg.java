package io.swarmflow.cli.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The ticket DAG as inline SVG, flowing left to right. A ticket's layer is the length of the longest
 * path to it from a source, so every edge points right. Within a layer tickets are ordered by the
 * mean position of their dependencies (one barycenter sweep, Sugiyama et al. 1981) to cut crossings,
 * and a layer taller than {@link #MAX_PER_COLUMN} wraps into several columns.
 */
final class DagSvg {
    /** Larger plans get a note instead of a drawing that nobody could read. */
    static final int MAX_TICKETS = 2_000;
    static final int MAX_PER_COLUMN = 25;

    private static final int W = 150, H = 26, V_GAP = 14, INTO_TOP = 16, SUB_GAP = 14, LAYER_GAP = 70, PAD = 8;
    /** Characters of a ticket id that fit a box: labels are monospace, about 0.6 em (6.9 px) a character, 8 px padding. */
    static final int LABEL_CHARS = 18;
    /** Characters of an id's beginning a label keeps at least before an ellipsis and the part that tells the id apart. */
    private static final int MIN_HEAD = 4;
    /**
     * A drawing wider than this, pixels (about four windows), whose layers wrap into sub-columns, is not shown unfolded:
     * its boxes stand in dozens of sub-columns and the arrows between them merge into a band nobody can follow.
     */
    static final int MAX_WIDTH = 5_000;
    /**
     * A drawing with more arrows than this is not put in the report, folded or not: each arrow is an SVG path of about
     * 180 bytes, so 10,000 are about 1.8 MB of report.html (a 400-ticket matrix needing another of 400 has 160,000, 29 MB),
     * and a band that dense shows nothing the ticket table does not.
     */
    static final int MAX_EDGES = 10_000;

    private DagSvg() {}

    /** Layer of each row (index into {@code rows}): 0 for sources, else 1 + the deepest dependency's layer. */
    static int[] layers(List<RunReport.Row> rows) {
        Map<String, Integer> index = indexOf(rows);
        int[] layer = new int[rows.size()];
        // plan order is topological, so one pass sees every dependency first; unknown ids are ignored
        for (int i = 0; i < rows.size(); i++) {
            int l = 0;
            for (String need : rows.get(i).needs()) {
                Integer j = index.get(need);
                if (j != null && j < i) l = Math.max(l, layer[j] + 1);
            }
            layer[i] = l;
        }
        return layer;
    }

    /** Width of the drawing of {@code rows}, pixels, as {@link #render} lays it out. */
    static int width(List<RunReport.Row> rows) {
        int[] sizes = layerSizes(rows);
        int width = 2 * PAD - LAYER_GAP;
        for (int size : sizes) width += columns(size) * W + (columns(size) - 1) * SUB_GAP + LAYER_GAP;
        return Math.max(2 * PAD, width);
    }

    /** Number of tickets in each layer of {@code rows}, in layer order. */
    static int[] layerSizes(List<RunReport.Row> rows) {
        int depth = 0;
        int[] layer = layers(rows);
        for (int l : layer) depth = Math.max(depth, l + 1);
        int[] sizes = new int[depth];
        for (int l : layer) sizes[l]++;
        return sizes;
    }

    /** Number of arrows the drawing of {@code rows} has: dependencies on an earlier row ({@link #render} draws those). */
    static long edges(List<RunReport.Row> rows) {
        Map<String, Integer> index = indexOf(rows);
        long count = 0;
        for (int i = 0; i < rows.size(); i++) {
            for (String need : rows.get(i).needs()) {
                Integer j = index.get(need);
                if (j != null && j < i) count++;
            }
        }
        return count;
    }

    /** Whether the drawing of {@code rows} has more arrows than {@link #MAX_EDGES}, and so is left out of the report. */
    static boolean tooManyEdges(List<RunReport.Row> rows) {
        return edges(rows) > MAX_EDGES;
    }

    /** Whether the drawing of {@code rows} is too wide to show unfolded: wider than {@link #MAX_WIDTH}, a layer wrapped. */
    static boolean tooWide(List<RunReport.Row> rows) {
        boolean wraps = false;
        for (int size : layerSizes(rows)) wraps |= size > MAX_PER_COLUMN;
        return wraps && width(rows) > MAX_WIDTH;
    }

    /**
     * The box label of each of {@code texts} (ids, or the labels of a grouped DAG), by text: the text itself when it has
     * at most {@link #LABEL_CHARS} characters; else, so that boxes do not all read the same, the part that tells it apart
     * from the most similar other text (from the word where they first differ: {@code jdk21} of
     * {@code test-linux-x86_64-jdk21} beside {@code test-linux-x86_64-jdk17}, {@code 0042} of {@code layer00-ticket-0042})
     * after as much of its beginning as fits and an ellipsis ({@code test-linux-x…jdk21}); the beginning alone when that
     * tells it apart ({@code build-the-documen…}). Texts that still read the same (they differ in their middle only) keep
     * their first {@value #MIN_HEAD} characters and as much of their end as fits ({@code test…aarch64-jdk17}). Never cuts a
     * surrogate pair.
     */
    static Map<String, String> labels(java.util.Collection<String> texts) {
        List<String> sorted = new ArrayList<>(new java.util.TreeSet<>(texts));
        Map<String, String> result = new HashMap<>();
        for (int k = 0; k < sorted.size(); k++) {
            String text = sorted.get(k);
            if (text.length() <= LABEL_CHARS) {
                result.put(text, text);
                continue;
            }
            int common = Math.max(k > 0 ? commonPrefix(text, sorted.get(k - 1)) : 0,
                    k + 1 < sorted.size() ? commonPrefix(text, sorted.get(k + 1)) : 0);
            result.put(text, label(text, common));
        }
        // texts that differ from each other in their middle (test-linux-x86_64-jdk17, test-linux-aarch64-jdk17) can get
        // the same label: those keep their beginning's first characters and as much of their end as fits
        Map<String, Integer> uses = new HashMap<>();
        for (String l : result.values()) uses.merge(l, 1, Integer::sum);
        for (Map.Entry<String, String> e : result.entrySet()) {
            String text = e.getKey();
            if (uses.get(e.getValue()) > 1 && text.length() > LABEL_CHARS) {
                int head = io.swarmflow.cli.view.Printable.cutBefore(text, MIN_HEAD);
                int from = text.length() - (LABEL_CHARS - 1 - head);
                if (Character.isLowSurrogate(text.charAt(from))) from++;
                e.setValue(text.substring(0, head) + "…" + text.substring(from));
            }
        }
        return result;
    }

    /**
     * The label of {@code text}, which has more than {@link #LABEL_CHARS} characters, its first {@code common} shared
     * with the most similar other text: its beginning when that shows where they differ, else its beginning up to a
     * word boundary, an ellipsis and its end from the word where they differ.
     */
    static String label(String text, int common) {
        int budget = LABEL_CHARS - 1; // one for the ellipsis
        if (common < budget) return Html.shorten(text, LABEL_CHARS); // the beginning tells it apart
        common = Math.min(common, text.length() - 1); // a text that begins another: its end tells them apart
        int from = common; // back to the start of the word where the texts differ, at most 6 characters
        while (from > common - 6 && Character.isLetterOrDigit(text.charAt(from - 1))) from--;
        if (Character.isLetterOrDigit(text.charAt(from - 1))) from = common - 3;
        if (Character.isLowSurrogate(text.charAt(from))) from--;
        String tail = text.substring(from);
        if (tail.length() > budget - MIN_HEAD) {
            return text.substring(0, io.swarmflow.cli.view.Printable.cutBefore(text, MIN_HEAD)) + "…"
                    + Html.shorten(tail, LABEL_CHARS - MIN_HEAD - 1);
        }
        int head = io.swarmflow.cli.view.Printable.cutBefore(text, budget - tail.length());
        for (int i = head - 1; i >= MIN_HEAD; i--) { // end the beginning at a word boundary when there is one
            if (!Character.isLetterOrDigit(text.charAt(i))) {
                head = i + 1;
                break;
            }
        }
        return text.substring(0, head) + "…" + tail;
    }

    private static int commonPrefix(String a, String b) {
        int n = Math.min(a.length(), b.length()), i = 0;
        while (i < n && a.charAt(i) == b.charAt(i)) i++;
        return i;
    }

    static String render(List<RunReport.Row> rows) {
        return render(rows, Map.of(), Map.of());
    }

    /**
     * The DAG of {@code rows}, with the label and the hover text of a box given by {@code labels} and {@code tips}
     * (by row id) where they have one, else the row's id and its id, title (cut as a reason is,
     * {@link io.swarmflow.cli.view.Printable#cutReason(String, String)}) and state.
     */
    static String render(List<RunReport.Row> rows, Map<String, String> labels, Map<String, String> tips) {
        int n = rows.size();
        Map<String, Integer> index = indexOf(rows);
        int[] layer = layers(rows);
        int depth = 0;
        for (int l : layer) depth = Math.max(depth, l + 1);
        List<List<Integer>> byLayer = new ArrayList<>();
        for (int l = 0; l < depth; l++) byLayer.add(new ArrayList<>());
        for (int i = 0; i < n; i++) byLayer.get(layer[i]).add(i);

        double[] slot = new double[n];
        for (List<Integer> members : byLayer) {
            Map<Integer, Double> key = new HashMap<>();
            for (int i : members) {
                double sum = 0;
                int count = 0;
                for (String need : rows.get(i).needs()) {
                    Integer j = index.get(need);
                    if (j != null && j < i) {
                        sum += slot[j];
                        count++;
                    }
                }
                key.put(i, count == 0 ? i : sum / count);
            }
            members.sort(Comparator.comparingDouble((Integer i) -> key.get(i)).thenComparingInt(i -> i));
            for (int p = 0; p < members.size(); p++) slot[members.get(p)] = (double) p / Math.max(1, members.size() - 1);
        }

        int maxExtent = 0;
        for (List<Integer> members : byLayer) maxExtent = Math.max(maxExtent, extent(members.size()));
        int height = 2 * PAD + maxExtent;
        int[] x = new int[n], y = new int[n], col = new int[n];
        int[] layerLeft = new int[depth], layerRight = new int[depth], layerTop = new int[depth], layerRows = new int[depth];
        int cursor = PAD;
        for (int l = 0; l < depth; l++) {
            List<Integer> members = byLayer.get(l);
            int cols = columns(members.size());
            int perCol = (members.size() + cols - 1) / cols;
            // the sub-columns of a wrapped layer share their rows, so the gaps between rows are channels
            // that edges run through from one side of the layer to the other
            int top = PAD + (maxExtent - extent(members.size())) / 2;
            for (int p = 0; p < members.size(); p++) {
                int i = members.get(p);
                col[i] = p / perCol;
                x[i] = cursor + col[i] * (W + SUB_GAP);
                y[i] = top + (p % perCol) * (H + V_GAP);
            }
            layerLeft[l] = cursor;
            layerRight[l] = cursor + cols * W + (cols - 1) * SUB_GAP;
            layerTop[l] = top;
            layerRows[l] = perCol;
            cursor = layerRight[l] + LAYER_GAP;
        }
        int width = cursor - LAYER_GAP + PAD;

        List<String> texts = new ArrayList<>(n);
        for (RunReport.Row r : rows) texts.add(labels.getOrDefault(r.id(), r.id()));
        Map<String, String> shortLabels = labels(texts);
        StringBuilder sb = new StringBuilder(256 + n * 300);
        sb.append("<svg class=\"dag\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(width).append(' ')
                .append(height).append("\" role=\"img\" aria-label=\"ticket dependency graph\">\n");
        sb.append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" "
                + "markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#94a3b8\"/></marker></defs>\n");
        sb.append("<g class=\"edges\">\n");
        for (int i = 0; i < n; i++) {
            for (String need : rows.get(i).needs()) {
                Integer j = index.get(need);
                if (j == null || j >= i) continue;
                sb.append("<path class=\"edge\" data-from=\"").append(Html.esc(need)).append("\" data-to=\"")
                        .append(Html.esc(rows.get(i).id())).append("\" d=\"");
                edge(sb, j, i, layer, col, x, y, layerLeft, layerRight, layerTop, layerRows);
                sb.append("\" marker-end=\"url(#arrow)\"/>\n");
            }
        }
        sb.append("</g>\n<g class=\"nodes\">\n");
        for (int i = 0; i < n; i++) {
            RunReport.Row r = rows.get(i);
            String state = r.view().state().label();
            // a title cut as report.html cuts reasons: a 1 MB one was written whole in every box's hover text
            String tip = tips.getOrDefault(r.id(), r.id() + (r.title() == null || r.title().isEmpty() ? ""
                    : " — " + io.swarmflow.cli.view.Printable.cutReason(r.title(), "in report.json"))
                    + " (" + state + ")");
            sb.append("<a href=\"#t-").append(Html.esc(r.id())).append("\" class=\"node n-").append(state)
                    .append("\" data-ticket=\"").append(Html.esc(r.id())).append("\"><title>").append(Html.esc(tip))
                    .append("</title><rect x=\"").append(x[i]).append("\" y=\"").append(y[i]).append("\" width=\"")
                    .append(W).append("\" height=\"").append(H).append("\" rx=\"5\"/><text x=\"").append(x[i] + 8)
                    .append("\" y=\"").append(y[i] + H / 2 + 4).append("\">").append(Html.esc(shortLabels.get(texts.get(i))))
                    .append("</text></a>\n");
        }
        sb.append("</g>\n</svg>");
        return sb.toString();
    }

    /**
     * Path of the edge from node {@code j} to node {@code i}: out of the source's right side (its bottom, then
     * through a row gap of its layer, when other sub-columns stand to its right), across each layer in between at a height
     * where it has no node (a row gap, or above or below its nodes), and into the target's left side through
     * a row gap of its layer (into its top when other sub-columns stand to its left); S-curves across the gaps
     * between layers.
     */
    private static void edge(StringBuilder sb, int j, int i, int[] layer, int[] col, int[] x, int[] y, int[] layerLeft,
                             int[] layerRight, int[] layerTop, int[] layerRows) {
        double cy;
        if (x[j] + W < layerRight[layer[j]]) {
            cy = y[j] + H + V_GAP / 2.0;
            sb.append(String.format(Locale.ROOT, "M%d,%d L%d,%.1f", x[j] + W - INTO_TOP, y[j] + H, x[j] + W - INTO_TOP, cy));
        } else {
            cy = y[j] + H / 2.0;
            sb.append(String.format(Locale.ROOT, "M%d,%.1f", x[j] + W, cy));
        }
        sb.append(String.format(Locale.ROOT, " L%d,%.1f", layerRight[layer[j]], cy));
        for (int l = layer[j] + 1; l < layer[i]; l++) {
            double next = freeY(cy, layerTop[l], layerRows[l]);
            curve(sb, layerRight[l - 1], cy, layerLeft[l], next);
            sb.append(String.format(Locale.ROOT, " L%d,%.1f", layerRight[l], next));
            cy = next;
        }
        if (col[i] > 0) {
            double gap = y[i] - V_GAP / 2.0;
            curve(sb, layerRight[layer[i] - 1], cy, layerLeft[layer[i]], gap);
            // into the top: an arrow from the left would look like an edge from the box in the sub-column before
            sb.append(String.format(Locale.ROOT, " L%d,%.1f L%d,%d", x[i] + INTO_TOP, gap, x[i] + INTO_TOP, y[i]));
        } else {
            curve(sb, layerRight[layer[i] - 1], cy, x[i], y[i] + H / 2.0);
        }
    }

    private static void curve(StringBuilder sb, double a, double y1, double b, double y2) {
        double dx = (b - a) / 2;
        sb.append(String.format(Locale.ROOT, " C%.1f,%.1f %.1f,%.1f %.1f,%.1f", a + dx, y1, b - dx, y2, b, y2));
    }

    /** {@code y} when a horizontal line there misses every node of a layer, else the nearest height that does. */
    static double freeY(double y, int top, int rows) {
        int pitch = H + V_GAP;
        double bottom = top + (rows - 1) * pitch + H;
        if (y <= top - 2 || y >= bottom + 2) return y;
        double rel = y - top;
        int row = (int) Math.floor(rel / pitch);
        if (rel - row * pitch >= H + 2) return y; // already in the gap below row
        double above = top + row * pitch - V_GAP / 2.0, below = top + row * pitch + H + V_GAP / 2.0;
        return y - above <= below - y ? above : below;
    }

    private static int columns(int members) {
        return Math.max(1, (members + MAX_PER_COLUMN - 1) / MAX_PER_COLUMN);
    }

    /** Height taken by a layer of {@code members} tickets. */
    private static int extent(int members) {
        if (members == 0) return 0;
        int cols = columns(members);
        int perCol = (members + cols - 1) / cols;
        return perCol * H + (perCol - 1) * V_GAP;
    }

    private static Map<String, Integer> indexOf(List<RunReport.Row> rows) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < rows.size(); i++) index.putIfAbsent(rows.get(i).id(), i);
        return index;
    }
}
