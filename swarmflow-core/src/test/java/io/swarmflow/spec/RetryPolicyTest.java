package io.swarmflow.spec;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/spec.md: retries wait an exponential backoff with full jitter; defaults 1s initial, 60s max, multiplier 2. */
class RetryPolicyTest {
    @Test
    void theDefaultsAreOneSecondSixtySecondsAndTwo() {
        assertThat(RetryPolicy.NONE).isEqualTo(new RetryPolicy(0, 1_000, 60_000, 2.0));
    }

    @Test
    void theCeilingGrowsByTheMultiplierUpToTheMax() {
        RetryPolicy p = new RetryPolicy(10, 1_000, 60_000, 2.0);
        assertThat(java.util.stream.IntStream.rangeClosed(1, 8).mapToLong(p::ceilingMillis).toArray())
                .containsExactly(1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000);
        assertThat(new RetryPolicy(3, 500, 30_000, 3.0).ceilingMillis(3)).isEqualTo(4_500);
        assertThat(new RetryPolicy(3, 0, 0, 1.0).delayMillis(2, new SplittableRandom(1))).isZero();
    }

    @Test
    void eachDelayIsDrawnUniformlyFromZeroToTheCeiling() {
        RetryPolicy p = new RetryPolicy(10, 1_000, 60_000, 2.0);
        RandomGenerator random = new SplittableRandom(42);
        long min = Long.MAX_VALUE, max = 0, sum = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            long d = p.delayMillis(3, random); // ceiling 4 s
            assertThat(d).isBetween(0L, 4_000L);
            min = Math.min(min, d);
            max = Math.max(max, d);
            sum += d;
        }
        // full jitter: the whole range is used, not the ceiling plus or minus a little
        assertThat(min).isLessThan(100);
        assertThat(max).isGreaterThan(3_900);
        assertThat(sum / (double) n).isBetween(1_900.0, 2_100.0);
    }
}
