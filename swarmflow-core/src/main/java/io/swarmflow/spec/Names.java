package io.swarmflow.spec;

import java.util.Collection;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * "Did you mean": the known name nearest to a mistyped one, for spec errors and for the commands that take ticket
 * names ({@code swarm approve RUN deploi}).
 */
public final class Names {
    private Names() {}

    /**
     * The name in {@code known} nearest to {@code given}, ignoring case: at an edit distance ({@link #editDistance}: a
     * swap of two adjacent letters is one edit) of at most
     * min(2, max(1, length of {@code given} / 3)) and shorter than the longer of the two names (so that 'k' is no
     * suggestion for 'v'); the first of equally near ones. Null when none is that near. Names longer than 200 characters
     * are never suggested. Cost: one distance per candidate whose length is near enough, each O(|given| × |candidate|).
     */
    public static String nearest(String given, Collection<String> known) {
        return nearest(given, known, cells -> {});
    }

    /** {@link #nearest(String, Collection)}, telling {@code charge} the edit-distance cells of each candidate looked at. */
    static String nearest(String given, Collection<String> known, LongConsumer charge) {
        String g = given.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        int allowed = Math.min(2, Math.max(1, given.length() / 3));
        for (String candidate : known) {
            // charged whether computed or not, so a budget also bounds the listing and lower-casing of candidates
            charge.accept((long) (g.length() + 1) * (candidate.length() + 1));
            String c = candidate.toLowerCase(Locale.ROOT);
            if (Math.abs(c.length() - g.length()) > allowed) continue; // the distance is at least the difference in length
            int d = editDistance(g, c);
            if (d <= allowed && d < bestDistance && d < Math.max(g.length(), c.length())) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best;
    }

    /**
     * Optimal string alignment distance: the edits (insertions, deletions, substitutions, and swaps of two adjacent
     * characters, so that {@code biuld} is one edit from {@code build}) that turn {@code a} into {@code b}, no substring
     * edited twice; the dynamic programme of Wagner and Fischer, "The String-to-String Correction Problem", JACM 21(1),
     * 1974, with the swap of Lowrance and Wagner, JACM 22(2), 1975, in three rows. {@link Integer#MAX_VALUE} when either
     * string is longer than 200 characters.
     */
    static int editDistance(String a, String b) {
        if (a.length() > 200 || b.length() > 200) return Integer.MAX_VALUE;
        int[] before = new int[b.length() + 1];
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    cur[j] = Math.min(cur[j], before[j - 2] + 1);
                }
            }
            int[] t = before;
            before = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
