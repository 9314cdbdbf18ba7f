package io.swarmflow.sandbox;

import io.swarmflow.agent.Masking;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sandbox's masking ({@link MaskingInputStream}, which may use only the JDK) and core's ({@link Masking}, which masks
 * an attempt's result in the engine and the executors) are one rule written twice: the same mask, the same minimum, the
 * same texts out.
 */
class MaskingAgreementTest {
    @Test
    void theSandboxAndCoreMaskAlike() {
        assertThat(MaskingInputStream.MASK).isEqualTo(Masking.MASK);
        assertThat(MaskingInputStream.MIN_LENGTH).isEqualTo(Masking.MIN_LENGTH);
        List<Set<String>> secretSets = List.of(Set.of(), Set.of("abc"), Set.of("s3cr3t-value", "s3cr3t"), Set.of("ééé", "€x"),
                Set.of("token-1234", "oken-12"));
        for (Set<String> secrets : secretSets) {
            for (String text : List.of("", "plain", "x s3cr3t-value y s3cr3t z", "ééé€x€xabc", "token-1234oken-12 token-12345")) {
                assertThat(MaskingInputStream.mask(text, secrets)).as("%s in %s", secrets, text).isEqualTo(Masking.mask(text, secrets));
            }
        }
    }
}
