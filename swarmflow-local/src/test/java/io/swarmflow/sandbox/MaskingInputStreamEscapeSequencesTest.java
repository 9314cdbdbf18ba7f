package io.swarmflow.sandbox;

import io.swarmflow.files.mask.Masking;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review R5: the stream masks a secret printed in pieces with terminal escape sequences between them, however the
 * bytes are cut into reads, so the log file never holds it; what it holds back stays bounded.
 */
class MaskingInputStreamEscapeSequencesTest {
    private static final String E = "\u001B";
    private static final List<String> TOKEN = List.of("ab/cd/ef-secret");
    /** echo "using url https://user:$TOKEN@example.invalid/repo" | grep --color=always cd */
    private static final String GREP = "using url https://user:ab/" + E + "[01;31m" + E + "[Kcd" + E + "[m" + E
            + "[K/ef-secret@example.invalid/repo\n";
    /** printf 'token is \e[1m%s\e[0m%s\e[0m\n' ab/cd/ ef-secret */
    private static final String PRINTF = "token is " + E + "[1mab/cd/" + E + "[0mef-secret" + E + "[0m\n";

    /** {@code first} bytes in one read, the rest in reads of at most {@code chunk}. */
    private static String streamed(String text, int first, int chunk) throws IOException {
        InputStream source = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)) {
            private boolean started;

            @Override
            public synchronized int read(byte[] b, int off, int len) {
                int n = started ? chunk : first;
                started = true;
                return super.read(b, off, Math.min(len, Math.max(1, n)));
            }
        };
        return new String(MaskingInputStream.wrap(source, TOKEN).readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void grepColorOutputIsMaskedWhereverAReadEnds() throws IOException {
        String masked = "using url https://user:***@example.invalid/repo\n";
        for (int cut = 1; cut <= GREP.length(); cut++) {
            assertThat(streamed(GREP, cut, 8192)).as("reads cut after byte %d", cut).isEqualTo(masked);
        }
        assertThat(streamed(GREP, 1, 1)).as("a byte at a time").isEqualTo(masked);
        assertThat(streamed(GREP, 8192, 8192)).isEqualTo(masked);
    }

    @Test
    void printfWithBoldInTheMiddleIsMaskedAcrossABufferBoundary() throws IOException {
        String masked = "token is " + E + "[1m***" + E + "[0m\n";
        for (int cut = 1; cut <= PRINTF.length(); cut++) {
            assertThat(streamed(PRINTF, cut, 8192)).as("reads cut after byte %d", cut).isEqualTo(masked);
            assertThat(streamed(PRINTF, cut, 3)).as("cut after byte %d, then by 3", cut).isEqualTo(masked);
        }
        // the sequence itself cut by the 8 KiB read the pump makes: the secret's head ends the first read
        String big = "x".repeat(8192 - "token is ".length() - 9) + PRINTF;
        assertThat(streamed(big, 8192, 8192)).isEqualTo("x".repeat(8192 - "token is ".length() - 9) + masked);
    }

    @Test
    void theBytesHeldBackStayBoundedByTheLongestSecretAndMaxInterleaved() throws IOException {
        String flood = "ab/" + (E + "[1m").repeat(10_000) + "cd/ef-secret\n"; // far more sequences than one occurrence may hold
        byte[] bytes = flood.getBytes(StandardCharsets.UTF_8);
        int[] mostHeld = {0};
        MaskingInputStream[] masking = new MaskingInputStream[1];
        InputStream source = new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                mostHeld[0] = Math.max(mostHeld[0], masking[0].held());
                return super.read(b, off, Math.min(len, 7));
            }
        };
        masking[0] = (MaskingInputStream) MaskingInputStream.wrap(source, TOKEN);
        assertThat(new String(masking[0].readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(flood);
        assertThat(mostHeld[0]).isLessThan("ab/cd/ef-secret".length() + Masking.MAX_INTERLEAVED);
    }

    @Test
    void theTextFormGivesTheSame() {
        assertThat(MaskingInputStream.mask(GREP, TOKEN)).isEqualTo("using url https://user:***@example.invalid/repo\n");
        assertThat(MaskingInputStream.mask(PRINTF, TOKEN)).isEqualTo("token is " + E + "[1m***" + E + "[0m\n");
    }
}
