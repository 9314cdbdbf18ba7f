package io.swarmflow.sandbox;

/**
 * Run by {@link HiddenOrphanTest} in a JVM where JNA cannot load: for the pid and start ticks in its arguments, prints
 * whether kill(2) is callable directly, what {@link ProcessGroups#orphanGroupUncheckable} says (what {@code swarm status}
 * and {@code swarm resume} go by), and what {@link Kill#exists} answers for the pid and its group. One
 * {@code key=value} per line.
 */
public final class HiddenOrphanProbe {
    private HiddenOrphanProbe() {}

    public static void main(String[] args) {
        long pid = Long.parseLong(args[0]);
        long ticks = Long.parseLong(args[1]);
        System.out.println("available=" + Kill.available());
        System.out.println("uncheckable=" + ProcessGroups.orphanGroupUncheckable(pid, ticks));
        System.out.println("exists=" + Kill.exists(pid));
        System.out.println("groupExists=" + Kill.exists(-pid));
    }
}
