package io.swarmflow.store;

/**
 * A run's coordinator lease as {@link RunStore#claimRun} and {@link RunStore#heartbeat} left it.
 *
 * @param owner           holder of the lease ({@code host:pid@start}), or null if never claimed
 * @param epoch           the current fencing epoch (0 before the first claim)
 * @param expiresAtMillis end of the lease on the store clock, epoch milliseconds; 0 when released
 */
public record RunLease(String owner, long epoch, long expiresAtMillis) {
    /**
     * {@code owner} as a message to a person shows it: up to the first {@code ';'} after its last {@code '@'}, so a
     * coordinator's {@code host:pid@startMillis/n;boot=...;pidns=...;ticks=...} reads {@code host:pid@startMillis/n} (the
     * parts after it, see {@code io.swarmflow.engine.Owners}, are identifiers nobody acts on). An owner without them is
     * shown whole; null is shown as {@code null}.
     */
    public static String shown(String owner) {
        if (owner == null) return "null";
        int at = owner.lastIndexOf('@');
        int semi = at < 0 ? -1 : owner.indexOf(';', at);
        return semi < 0 ? owner : owner.substring(0, semi);
    }
}
