package io.swarmflow.spec;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What the person running swarm allows a spec, whoever wrote it ({@code swarm run --sandbox required|best-effort},
 * {@code --no-network}, {@code --allow-env NAME,...}): a spec that asks for more is refused, never raised or lowered
 * silently, so its author sees why. {@link SpecLoader#load(java.nio.file.Path, Map, java.util.function.Consumer, Floor)}
 * refuses it with a {@link SpecException} whose errors point where the spec asks for it; {@link #violations(Plan)} says
 * the same of a stored plan, which keeps no positions.
 *
 * <p>The sandbox and network floors concern processes: a ticket of a {@code noop} agent runs none, so neither refuses it
 * (whatever sandbox or network it takes from {@code defaults}; a {@code noop} profile or ticket may not set them).
 * {@code --allow-env} checks the <code>${{ env.NAME }}</code> of every ticket, {@code noop} ones included.
 *
 * @param sandbox     the lowest sandbox policy a ticket may run with: {@link SandboxPolicy#REQUIRED} or
 *                    {@link SandboxPolicy#BEST_EFFORT}; null for none (any policy, {@code off} included)
 * @param noNetwork   whether a ticket with {@code network: true} is refused
 * @param allowedEnv  the names of swarm's environment variables that <code>${{ env.NAME }}</code> may read; empty for
 *                    none; null for any (no check)
 * @param allowedEnvFromEnvironment whether {@code allowedEnv} came from {@code SWARM_ALLOW_ENV} rather than
 *                    {@code --allow-env}: refusals then name the variable, as it was given
 * @param sandboxFromEnvironment whether {@code sandbox} came from {@code SWARM_SANDBOX_FLOOR} rather than
 *                    {@code --sandbox}: refusals then name the variable ({@link #sandboxOption})
 * @param noNetworkFromEnvironment whether {@code noNetwork} came from {@code SWARM_NO_NETWORK} rather than
 *                    {@code --no-network}: refusals then name the variable ({@link #noNetworkOption})
 */
public record Floor(SandboxPolicy sandbox, boolean noNetwork, Set<String> allowedEnv, boolean allowedEnvFromEnvironment,
                    boolean sandboxFromEnvironment, boolean noNetworkFromEnvironment) {
    /** No floor: every spec that loads is allowed, as without the options. */
    public static final Floor NONE = new Floor(null, false, null);

    /** A floor set by the options alone ({@code --sandbox}, {@code --no-network}, {@code --allow-env}). */
    public Floor(SandboxPolicy sandbox, boolean noNetwork, Set<String> allowedEnv) {
        this(sandbox, noNetwork, allowedEnv, false);
    }

    /** A floor whose sandbox and network floors came from {@code --sandbox} and {@code --no-network}. */
    public Floor(SandboxPolicy sandbox, boolean noNetwork, Set<String> allowedEnv, boolean allowedEnvFromEnvironment) {
        this(sandbox, noNetwork, allowedEnv, allowedEnvFromEnvironment, false, false);
    }

    /**
     * Copies {@code allowedEnv}.
     *
     * @throws IllegalArgumentException when {@code sandbox} is {@link SandboxPolicy#OFF} (no floor at all: null)
     * @throws NullPointerException     when {@code allowedEnv} holds a null
     */
    public Floor {
        if (sandbox == SandboxPolicy.OFF) throw new IllegalArgumentException("a sandbox floor is required or best-effort; null for none");
        allowedEnv = allowedEnv == null ? null : Set.copyOf(allowedEnv);
    }

    /** Whether this floor refuses nothing. */
    public boolean isNone() {
        return sandbox == null && !noNetwork && allowedEnv == null;
    }

    /** Whether a ticket may run under {@code policy}: it is not below {@link #sandbox()}. */
    public boolean allowsSandbox(SandboxPolicy policy) {
        return sandbox == null || policy.ordinal() <= sandbox.ordinal(); // REQUIRED < BEST_EFFORT < OFF
    }

    /** Whether <code>${{ env.NAME }}</code> may read {@code name}. */
    public boolean allowsEnv(String name) {
        return allowedEnv == null || allowedEnv.contains(name);
    }

    /**
     * The sandbox floor as given: {@code --sandbox required}, or from the environment ({@link #sandboxFromEnvironment})
     * {@code SWARM_SANDBOX_FLOOR=required}.
     */
    public String sandboxOption() {
        return sandboxFromEnvironment ? "SWARM_SANDBOX_FLOOR=" + spelled(sandbox) : "--sandbox " + spelled(sandbox);
    }

    /**
     * The network floor as given: {@code --no-network}, or from the environment ({@link #noNetworkFromEnvironment})
     * {@code SWARM_NO_NETWORK}.
     */
    public String noNetworkOption() {
        return noNetworkFromEnvironment ? "SWARM_NO_NETWORK" : "--no-network";
    }

    /**
     * The option as given: {@code --allow-env A,B}, or {@code --allow-env ''} for none; from the environment
     * ({@link #allowedEnvFromEnvironment}) {@code SWARM_ALLOW_ENV=A,B}, or {@code SWARM_ALLOW_ENV=''}.
     */
    public String allowEnvOption() {
        return allowedEnv == null ? "" : allowEnvWith(allowedEnv);
    }

    /** How {@code names} would be given the way this floor's list was: {@code --allow-env A,B} or {@code SWARM_ALLOW_ENV=A,B}. */
    public String allowEnvWith(Set<String> names) {
        String list = names.isEmpty() ? "''" : String.join(",", new TreeSet<>(names));
        return allowedEnvFromEnvironment ? "SWARM_ALLOW_ENV=" + list : "--allow-env " + list;
    }

    /** A policy as the spec writes it: {@code required}, {@code best-effort}, {@code off}. */
    static String spelled(SandboxPolicy policy) {
        return policy.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /**
     * What {@code plan} does that this floor refuses, one line per agent profile (sandbox) or ticket (network,
     * environment), in plan order: for a stored plan ({@code swarm resume}), which keeps no positions in the spec.
     *
     * @return the lines ({@code agent profile 'p' (tickets a, b) has sandbox: off, below --sandbox required}), empty
     *         when the plan conforms
     */
    public List<String> violations(Plan plan) {
        List<String> lines = new ArrayList<>();
        belowSandbox(plan).forEach((profile, tickets) -> lines.add("agent profile '" + profile + "' (" + tickets(tickets) + ") has sandbox: "
                + spelled(plan.agents().get(profile).sandbox()) + ", below " + sandboxOption()));
        for (PlannedTicket t : plan.tickets()) {
            if (noNetwork && t.network() && runsProcess(plan, t)) lines.add("ticket '" + t.id() + "' has network: true, refused by " + noNetworkOption());
            SortedSet<String> refused = refusedEnv(t.env().values());
            if (!refused.isEmpty()) {
                lines.add("ticket '" + t.id() + "' reads " + String.join(", ", refused.stream().map(n -> "${{ env." + n + " }}").toList())
                        + " of swarm's environment, not allowed by " + allowEnvOption());
            }
        }
        return lines;
    }

    /**
     * The agent profiles of {@code plan} whose sandbox policy this floor refuses, each with the ids of the tickets that
     * use it, in plan order: only profiles some ticket that runs a process uses (an unused or {@code noop} one runs
     * nothing). The one computation of the sandbox floor, for a spec ({@code FloorCheck}) and a stored plan
     * ({@link #violations}).
     */
    Map<String, List<String>> belowSandbox(Plan plan) {
        Map<String, List<String>> byProfile = new LinkedHashMap<>();
        if (sandbox == null) return byProfile;
        for (PlannedTicket t : plan.tickets()) {
            if (runsProcess(plan, t) && !allowsSandbox(plan.profileOf(t).sandbox())) byProfile.computeIfAbsent(t.agent(), k -> new ArrayList<>()).add(t.id());
        }
        return byProfile;
    }

    /**
     * Whether {@code t} runs a process, which the sandbox and network floors are about: not a {@code noop} ticket's
     * attempt, which only waits. The one rule for a spec ({@code FloorCheck}), a stored plan ({@link #violations}) and
     * the CLI's check of what tickets are handed from swarm's environment.
     *
     * @param plan the plan {@code t} belongs to
     * @param t    a ticket of {@code plan}
     * @return false for a ticket of a {@code noop} agent, true otherwise
     */
    public static boolean runsProcess(Plan plan, PlannedTicket t) {
        return !"noop".equals(plan.profileOf(t).kind());
    }

    /** The names that the <code>${{ env.NAME }}</code> references of {@code values} read and this floor refuses, sorted. */
    SortedSet<String> refusedEnv(Collection<String> values) {
        SortedSet<String> names = Templates.environmentNames(values);
        names.removeIf(this::allowsEnv);
        return names;
    }

    /** "ticket a" or "tickets a, b", the first 5 and how many more. */
    static String tickets(List<String> ids) {
        int shown = Math.min(5, ids.size());
        return (ids.size() == 1 ? "ticket " : "tickets ") + String.join(", ", ids.subList(0, shown))
                + (ids.size() > shown ? " and " + (ids.size() - shown) + " more" : "");
    }
}
