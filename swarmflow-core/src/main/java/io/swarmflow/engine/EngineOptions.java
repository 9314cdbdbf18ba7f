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
 * @param maxLeaseExpiries  attempts of one ticket lost to dead coordinators before the ticket fails (default 10);
 *                          such attempts do not consume {@code retries.max}
 * @param seed              seed for the backoff jitter (0 = from the clock)
 */
public record EngineOptions(Path stateDir, long leaseMillis, long heartbeatMillis, long commandPollMillis,
                            long gracePeriodMillis, boolean failFast, boolean autoApprove, int maxLeaseExpiries,
                            long seed) {
    public EngineOptions {
        Objects.requireNonNull(stateDir, "stateDir");
        if (heartbeatMillis <= 0 || heartbeatMillis >= leaseMillis) {
            throw new IllegalArgumentException("need 0 < heartbeat < lease, got heartbeat " + heartbeatMillis + " ms, lease " + leaseMillis + " ms");
        }
        if (commandPollMillis <= 0 || gracePeriodMillis < 0 || maxLeaseExpiries < 1) {
            throw new IllegalArgumentException("invalid engine options");
        }
    }

    public static Builder builder(Path stateDir) {
        return new Builder(stateDir);
    }

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

        public Builder lease(long leaseMillis, long heartbeatMillis) {
            this.leaseMillis = leaseMillis;
            this.heartbeatMillis = heartbeatMillis;
            return this;
        }

        public Builder commandPollMillis(long v) {
            this.commandPollMillis = v;
            return this;
        }

        public Builder gracePeriodMillis(long v) {
            this.gracePeriodMillis = v;
            return this;
        }

        public Builder failFast(boolean v) {
            this.failFast = v;
            return this;
        }

        public Builder autoApprove(boolean v) {
            this.autoApprove = v;
            return this;
        }

        public Builder maxLeaseExpiries(int v) {
            this.maxLeaseExpiries = v;
            return this;
        }

        public Builder seed(long v) {
            this.seed = v;
            return this;
        }

        public EngineOptions build() {
            return new EngineOptions(stateDir, leaseMillis, heartbeatMillis, commandPollMillis, gracePeriodMillis,
                    failFast, autoApprove, maxLeaseExpiries, seed);
        }
    }
}
