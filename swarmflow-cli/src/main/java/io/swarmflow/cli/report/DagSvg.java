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
    static final int MAX_TICKETS = 400;
    static final int MAX_PER_COLUMN = 25;

    private static final int W = 150, H = 26, V_GAP = 10, SUB_GAP = 14, LAYER_GAP = 70, PAD = 8;

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

    static String render(List<RunReport.Row> rows) {
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

        // wrapped layers: every other column sits half a row lower, so an edge running straight
        // through a layer to a node in a later column passes through the gaps between nodes
        int half = (H + V_GAP) / 2;
        int maxExtent = 0;
        for (List<Integer> members : byLayer) maxExtent = Math.max(maxExtent, extent(members.size()));
        int height = 2 * PAD + maxExtent;
        int[] x = new int[n], y = new int[n], layerLeft = new int[depth], layerRight = new int[depth];
        int cursor = PAD;
        for (int l = 0; l < depth; l++) {
            List<Integer> members = byLayer.get(l);
            int cols = columns(members.size());
            int perCol = (members.size() + cols - 1) / cols;
            int top = PAD + (maxExtent - extent(members.size())) / 2;
            for (int p = 0; p < members.size(); p++) {
                int i = members.get(p);
                int col = p / perCol;
                x[i] = cursor + col * (W + SUB_GAP);
                y[i] = top + (col % 2) * half + (p % perCol) * (H + V_GAP);
            }
            layerLeft[l] = cursor;
            layerRight[l] = cursor + cols * W + (cols - 1) * SUB_GAP;
            cursor = layerRight[l] + LAYER_GAP;
        }
        int width = cursor - LAYER_GAP + PAD;

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
                // straight out of the source's layer, a curve across the gap, straight into the target's layer
                double y1 = y[j] + H / 2.0, y2 = y[i] + H / 2.0;
                double a = layerRight[layer[j]], b = layerLeft[layer[i]];
                double dx = Math.max(20, Math.min(80, (b - a) / 2));
                sb.append("<path class=\"edge\" data-from=\"").append(Html.esc(need)).append("\" data-to=\"")
                        .append(Html.esc(rows.get(i).id())).append("\" d=\"")
                        .append(String.format(Locale.ROOT, "M%d,%.1f L%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f L%d,%.1f",
                                x[j] + W, y1, a, y1, a + dx, y1, b - dx, y2, b, y2, x[i], y2))
                        .append("\" marker-end=\"url(#arrow)\"/>\n");
            }
        }
        sb.append("</g>\n<g class=\"nodes\">\n");
        for (int i = 0; i < n; i++) {
            RunReport.Row r = rows.get(i);
            String state = r.view().state().label();
            String tip = r.id() + (r.title() == null || r.title().isEmpty() ? "" : " — " + r.title()) + " (" + state + ")";
            sb.append("<a href=\"#t-").append(Html.esc(r.id())).append("\" class=\"node n-").append(state)
                    .append("\" data-ticket=\"").append(Html.esc(r.id())).append("\"><title>").append(Html.esc(tip))
                    .append("</title><rect x=\"").append(x[i]).append("\" y=\"").append(y[i]).append("\" width=\"")
                    .append(W).append("\" height=\"").append(H).append("\" rx=\"5\"/><text x=\"").append(x[i] + 8)
                    .append("\" y=\"").append(y[i] + H / 2 + 4).append("\">").append(Html.esc(Html.shorten(r.id(), 21)))
                    .append("</text></a>\n");
        }
        sb.append("</g>\n</svg>");
        return sb.toString();
    }

    private static int columns(int members) {
        return Math.max(1, (members + MAX_PER_COLUMN - 1) / MAX_PER_COLUMN);
    }

    /** Height taken by a layer of {@code members} tickets, including the half-row shift of wrapped columns. */
    private static int extent(int members) {
        if (members == 0) return 0;
        int cols = columns(members);
        int perCol = (members + cols - 1) / cols;
        return perCol * H + (perCol - 1) * V_GAP + (cols > 1 ? (H + V_GAP) / 2 : 0);
    }

    private static Map<String, Integer> indexOf(List<RunReport.Row> rows) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < rows.size(); i++) index.putIfAbsent(rows.get(i).id(), i);
        return index;
    }
}
