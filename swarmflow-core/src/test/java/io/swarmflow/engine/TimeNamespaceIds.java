package io.swarmflow.engine;

/**
 * Identities of a made-up machine for the time-namespace tests of {@link Owners}: a boot id, a pid namespace, two time
 * namespaces (by inode) and recorded start ticks, and the {@code ;boot=...;pidns=...;ticks=...;timens=...} parts of a
 * coordinator's identity that carry them.
 */
final class TimeNamespaceIds {
    static final String BOOT = "0f3c2a1e-5b6d-4e7f-8a9b-0c1d2e3f4a5b";
    static final long PIDNS = 4026531836L;
    static final long TIMENS = 4026531834L;
    static final long OTHER_TIMENS = 4026532300L;
    /** The start ticks the coordinator recorded. */
    static final long TICKS = 123_456;

    private TimeNamespaceIds() {
    }

    /** The parts after a coordinator identity's {@code /1}; no {@code ;timens=} when {@code timens} is 0 (not recorded). */
    static String parts(String boot, long pidns, long ticks, long timens) {
        return ";boot=" + boot + ";pidns=" + pidns + ";ticks=" + ticks + (timens > 0 ? ";timens=" + timens : "");
    }
}
