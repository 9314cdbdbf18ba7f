package io.swarmflow.files.mask;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Masking.Scan#at} answers -1 (not known yet) only over fewer bytes than the longest secret's plus
 * {@value Masking#MAX_INTERLEAVED}: what bounds a stream's hold-back (review DMASK L1). Checked for texts that stop at
 * every byte around the budget's edge, with the budget filled by underlines, bold, colour sequences or one long CSI.
 */
class MaskingHoldBackBoundTest {
    private static final String E = "\u001B";

    @Test
    void notKnownYetOnlyOverFewerBytesThanTheLongestSecretPlusTheBudget() {
        List<String> secrets = List.of("abcd", "ab_d");
        int longest = 4;
        // each uses up the budget after "abc" exactly, or one byte or step short of it, or over it
        String[] fills = {"_\b".repeat(512), "_\b".repeat(511), "\bc".repeat(512), "\bc".repeat(511),
                E + "[" + "1".repeat(1021) + "m", E + "[" + "1".repeat(1020) + "m", (E + "[m").repeat(341),
                (E + "[m").repeat(342), (E + "]0;t\u0007").repeat(170)};
        String[] tails = {"", "d", "d\b", "d\bd", "_", "_\b", "_\bd", E, E + "[", E + "[1", "\u00C2", "c\b", "c\bc"};
        int unknown = 0;
        for (String fill : fills) {
            for (String head : new String[] {"a", "ab", "abc"}) {
                for (String tail : tails) {
                    String whole = head + fill + tail;
                    for (int cut = Math.max(1, whole.length() - 12); cut <= whole.length(); cut++) { // near the edge
                        String text = whole.substring(0, cut);
                        Masking.Scan scan = new Masking.Scan(text, secrets, false);
                        for (int i = 0; i < text.length(); i++) {
                            if (scan.at(i) >= 0) continue;
                            unknown++;
                            assertThat(text.length() - i).as("bytes not known yet from %d of %s", i, text.replace(E, "ESC"))
                                    .isLessThan(longest + Masking.MAX_INTERLEAVED);
                        }
                    }
                }
            }
        }
        assertThat(unknown).as("answers not known yet").isGreaterThan(300);
    }
}
