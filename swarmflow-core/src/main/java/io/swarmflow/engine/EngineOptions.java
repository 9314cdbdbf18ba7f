package io.swarmflow.engine;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Options of one coordinator executing a run. Immutable; build with {@link #builder(Path)}.
 *
 * @param stateDir          the state directory ({@code .swarm}); run files go to {@code stateDir/runs/<run>}
 * @param leaseMillis       lease of the run and of its attempts, renewed by heartbeats (default 15 000 ms)
 * @param heartbeatMillis   heartbeat period (default 5 000 ms; must be below the lease)
 * @param commandPollMillis how often the run's inbox (approve, reject, cancel) is read (default 200 ms)
 * @param gracePeriodMillis time between TERM and KILL when attempts are stopped (default 5 000 ms)
 * @param failFast          stop starting tickets after the first ticket fails for good, and stop running ones
 * @param autoApprove       approve every approval gate without asking
 * @param maxLeaseExpiries  attempts of one ticket lost to dead coordinators while their process ran (its start
 *                          recorded) that the ticket survives (default 10): one more fails it; such attempts do not
 *                          consume {@code retries.max}, and one lost with no process on record (never launched, or
 *                          {@code noop}) is not counted
 * @param seed              seed for the backoff jitter (0 = from the clock)
 */
public record EngineOptions(Path stateDir, long leaseMillis, long heartbeatMillis, long commandPollMillis,
                            long gracePeriodMillis, boolean failFast, boolean autoApprove, int maxLeaseExpiries,
                            long seed) {
    /**
     * Checks the options.
     *
     * @throws NullPointerException     when {@code stateDir} is null
     * @throws IllegalArgumentException unless 0 &lt; {@code heartbeatMillis} &lt; {@code leaseMillis},
     *                                  {@code commandPollMillis} &gt; 0, {@code gracePeriodMillis} &ge; 0 and
     *                                  {@code maxLeaseExpiries} &ge; 1
     */
    public EngineOptions {
        Objects.requireNonNull(stateDir, "stateDir");
        if (heartbeatMillis <= 0 || heartbeatMillis >= leaseMillis) {
            throw new IllegalArgumentException("need 0 < heartbeat < lease, got heartbeat " + heartbeatMillis + " ms, lease " + leaseMillis + " ms");
        }
        if (commandPollMillis <= 0 || gracePeriodMillis < 0 || maxLeaseExpiries < 1) {
            throw new IllegalArgumentException("invalid engine options");
        }
    }

    /**
     * A builder with the documented defaults.
     *
     * @param stateDir the state directory ({@code .swarm}); checked for null by {@link Builder#build()}
     * @return a new builder
     */
    public static Builder builder(Path stateDir) {
        return new Builder(stateDir);
    }

    /** A builder holding these options, to derive options that differ in a few values. */
    public Builder toBuilder() {
        Builder b = new Builder(stateDir);
        b.leaseMillis = leaseMillis;
        b.heartbeatMillis = heartbeatMillis;
        b.commandPollMillis = commandPollMillis;
        b.gracePeriodMillis = gracePeriodMillis;
        b.failFast = failFast;
        b.autoApprove = autoApprove;
        b.maxLeaseExpiries = maxLeaseExpiries;
        b.seed = seed;
        return b;
    }

    /** Builder with the defaults stated on {@link EngineOptions}. */
    public static final class Builder {
        private final Path stateDir;
        private long leaseMillis = 15_000;
        private long heartbeatMillis = 5_000;
        private long commandPollMillis = 200;
        private long gracePeriodMillis = 5_000;
        private boolean failFast;
        private boolean autoApprove;
        private int maxLeaseExpiries = 10;
        private long seed;

        private Builder(Path stateDir) {
            this.stateDir = stateDir;
        }

        /**
         * Sets the lease and heartbeat together, since each is checked against the other.
         *
         * @param leaseMillis     see {@link EngineOptions#leaseMillis()}; default 15 000 ms
         * @param heartbeatMillis see {@link EngineOptions#heartbeatMillis()}; default 5 000 ms, must be below the lease
         * @return this builder
         */
        public Builder lease(long leaseMillis, long heartbeatMillis) {
            this.leaseMillis = leaseMillis;
            this.heartbeatMillis = heartbeatMillis;
            return this;
        }

        /**
         * Sets how often the run's inbox is read, in milliseconds.
         *
         * @param v see {@link EngineOptions#commandPollMillis()}; default 200 ms, must be positive
         * @return this builder
         */
        public Builder commandPollMillis(long v) {
            this.commandPollMillis = v;
            return this;
        }

        /**
         * Sets the time between TERM and KILL when attempts are stopped, in milliseconds.
         *
         * @param v see {@link EngineOptions#gracePeriodMillis()}; default 5 000 ms, 0 kills at once
         * @return this builder
         */
        public Builder gracePeriodMillis(long v) {
            this.gracePeriodMillis = v;
            return this;
        }

        /**
         * Sets whether the first ticket that fails for good stops the run.
         *
         * @param v see {@link EngineOptions#failFast()}; default false
         * @return this builder
         */
        public Builder failFast(boolean v) {
            this.failFast = v;
            return this;
        }

        /**
         * Sets whether every approval gate is approved without asking.
         *
         * @param v see {@link EngineOptions#autoApprove()}; default false
         * @return this builder
         */
        public Builder autoApprove(boolean v) {
            this.autoApprove = v;
            return this;
        }

        /**
         * Sets how many attempts of a ticket may be lost to dead coordinators while their process ran before it fails.
         *
         * @param v see {@link EngineOptions#maxLeaseExpiries()}; default 10, at least 1
         * @return this builder
         */
        public Builder maxLeaseExpiries(int v) {
            this.maxLeaseExpiries = v;
            return this;
        }

        /**
         * Sets the seed of the backoff jitter, for reproducible delays in tests.
         *
         * @param v see {@link EngineOptions#seed()}; default 0, seeded from the clock
         * @return this builder
         */
        public Builder seed(long v) {
            this.seed = v;
            return this;
        }

        /**
         * Builds and checks the options.
         *
         * @return the options
         * @throws NullPointerException     when the state directory is null
         * @throws IllegalArgumentException when the values break the rules of {@link EngineOptions}
         */
        public EngineOptions build() {
            return new EngineOptions(stateDir, leaseMillis, heartbeatMillis, commandPollMillis, gracePeriodMillis,
                    failFast, autoApprove, maxLeaseExpiries, seed);
        }
    }
}
