package io.swarmflow.files.mask;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Matching across escape sequences takes work linear in the text, not {@value Masking#MAX_INTERLEAVED} steps a byte:
 * a secret that begins with a byte that ends colour sequences ({@code m} of {@code ESC[m}, {@code K} of {@code ESC[K})
 * once began an occurrence at each of them that walked the next 1024 bytes of sequences one at a time. The work is
 * counted in steps ({@link Masking.Scan#steps}), not timed.
 */
class MaskingLinearWorkTest {
    private static final String E = "\u001B";

    /** Steps to ask a scan of {@code text} at every place. */
    private static long stepsAtEveryPlace(String text, List<String> secrets) {
        Masking.Scan scan = new Masking.Scan(text, secrets, true);
        int found = 0;
        for (int i = 0; i < text.length(); i++) if (scan.at(i) != 0) found++;
        assertThat(found).as("places where a secret occurs").isZero();
        return scan.steps();
    }

    @Test
    void aTenMebibyteLineOfColourSequencesCostsAFewStepsAByte() {
        String line = (E + "[m" + E + "[K" + E + "[01;31m").repeat(10 * 1024 * 1024 / 15);
        List<String> secrets = List.of("mysecret-token", "Kanother-secret");
        long steps = stepsAtEveryPlace(line, secrets);
        assertThat(steps).as("steps for %d bytes and %d secrets", line.length(), secrets.size())
                .isLessThan(4L * line.length() * secrets.size());
    }

    @Test
    void aSecretOfEscBytesAmidOscStringsStaysBoundedToo() {
        // OSC strings ended by ESC \ : the ESC \ is a sequence of its own for an occurrence begun inside the string
        String line = (E + "]0;m" + E + "\\").repeat(1024 * 1024 / 6);
        List<String> secrets = List.of("mysecret-token");
        assertThat(stepsAtEveryPlace(line, secrets)).isLessThan(4L * line.length());
    }

    @Test
    void theMaskedLineIsTheLineItselfAndASecretInItIsStillFound() {
        String noise = (E + "[m" + E + "[K").repeat(200_000);
        String line = noise + "mysecret-" + E + "[1m" + E + "[Ktoken" + noise;
        String masked = Masking.mask(line, List.of("mysecret-token"));
        assertThat(masked).isEqualTo(noise + "***" + noise);
        String none = noise + "mysecret" + noise;
        assertThat(Masking.mask(none, List.of("mysecret-token"))).isSameAs(none);
        assertThat(none.getBytes(StandardCharsets.UTF_8)).hasSize(none.length());
    }
}
