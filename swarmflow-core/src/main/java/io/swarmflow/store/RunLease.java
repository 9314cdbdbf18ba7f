package io.swarmflow.store;

/**
 * A run's coordinator lease as {@link RunStore#claimRun} and {@link RunStore#heartbeat} left it.
 *
 * @param owner           holder of the lease ({@code host:pid@start}), or null if never claimed
 * @param epoch           the current fencing epoch (0 before the first claim)
 * @param expiresAtMillis end of the lease on the store clock, epoch milliseconds; 0 when released
 */
public record RunLease(String owner, long epoch, long expiresAtMillis) {}
