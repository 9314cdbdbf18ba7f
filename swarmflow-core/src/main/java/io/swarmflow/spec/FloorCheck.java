package io.swarmflow.spec;

import io.swarmflow.spec.RawSpec.Fields;
import io.swarmflow.spec.RawSpec.Profile;
import io.swarmflow.spec.RawSpec.Val;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a loaded plan against a {@link Floor}, reporting each refusal where the spec asks for it: the
 * {@code sandbox:} or {@code network:} written (in a profile, {@code defaults} or a ticket), the
 * <code>${{ env.NAME }}</code> reference, or, for what the spec leaves to a default, the profile or ticket. Only what
 * will run is checked: the profiles some ticket uses, the sandbox and network of the tickets that run a process (not
 * {@code noop} ones, {@link Floor#runsProcess}). Also reports, floor or not, each ticket whose {@code PATH} names a
 * directory inside a state directory the sandbox hides ({@link StatePaths}), at that {@code PATH} value.
 */
final class FloorCheck {
    private final RawSpec raw;
    private final YamlSource source;
    private final Plan plan;
    private final Floor floor;
    /** The state directories the sandbox hides from the tickets ({@link StatePaths}); empty for no check. */
    private final java.util.Collection<java.nio.file.Path> stateDirs;
    private final Problems problems;
    /** The spec's tickets by the id written (a matrix ticket's expansions share one). */
    private final Map<String, Fields> written = new HashMap<>();
    /** The id written of each planned ticket. */
    private final Map<String, String> groups = new HashMap<>();

    FloorCheck(RawSpec raw, YamlSource source, Plan plan, Floor floor, java.util.Collection<java.nio.file.Path> stateDirs,
               Problems problems) {
        this.raw = raw;
        this.stateDirs = stateDirs;
        this.source = source;
        this.plan = plan;
        this.floor = floor;
        this.problems = problems;
        for (Fields f : raw.tickets) if (f.id != null) written.putIfAbsent(f.id.value(), f);
        for (PlannedTicket t : plan.tickets()) groups.put(t.id(), t.group());
    }

    /** Adds an error to the problems for each refusal. */
    void check() {
        if (!stateDirs.isEmpty()) statePaths();
        if (floor.sandbox() != null) sandbox();
        if (floor.noNetwork()) network();
        if (floor.allowedEnv() != null) environment();
    }

    private void sandbox() {
        Map<String, List<String>> byProfile = floor.belowSandbox(plan);
        String wanted = floor.sandbox() == SandboxPolicy.REQUIRED ? "sandbox: required" : "sandbox: best-effort or required";
        List<String> fromDefaults = new ArrayList<>();
        List<String> defaultsTickets = new ArrayList<>();
        byProfile.forEach((name, tickets) -> {
            Profile p = raw.agents.get(name);
            String policy = Floor.spelled(plan.agents().get(name).sandbox());
            if (p != null && p.sandbox() != null) {
                problems.at(p.sandbox().node(), "agent profile '" + name + "' sets sandbox: " + policy + " (" + Floor.tickets(tickets)
                        + "), below the floor " + floor.sandboxOption(), "set " + wanted + " on the profile");
            } else if (raw.defaults.sandbox != null) {
                fromDefaults.add(name);
                defaultsTickets.addAll(tickets);
            } else if (p != null) {
                problems.at(p.node(), "agent profile '" + name + "' (" + Floor.tickets(tickets) + ") has no sandbox:, so "
                        + policy + " by default, below the floor " + floor.sandboxOption(), "add " + wanted + " to the profile");
            } else {
                // a profile named after its kind, which the spec does not write: each ticket that uses it
                Map<Node, List<String>> byTicket = new IdentityHashMap<>();
                for (String id : tickets) byTicket.computeIfAbsent(nodeOf(id), k -> new ArrayList<>()).add(id);
                byTicket.forEach((node, ids) -> problems.at(node, Floor.tickets(ids) + " run" + (ids.size() == 1 ? "s" : "")
                        + " with agent profile '" + name + "', " + policy + " by default, below the floor " + floor.sandboxOption(),
                        "add " + wanted + " under defaults:"));
            }
        });
        if (!fromDefaults.isEmpty()) {
            problems.at(raw.defaults.sandbox.node(), "defaults sets sandbox: " + Floor.spelled(raw.defaults.sandbox.value())
                    + " for agent profile" + (fromDefaults.size() == 1 ? " '" : "s '") + String.join("', '", fromDefaults) + "' ("
                    + Floor.tickets(defaultsTickets) + "), below the floor " + floor.sandboxOption(), "set " + wanted + " in defaults");
        }
    }

    private void network() {
        Map<Node, List<String>> byNode = new IdentityHashMap<>();
        Map<Node, Boolean> inDefaults = new IdentityHashMap<>();
        for (PlannedTicket t : plan.tickets()) {
            if (!t.network() || !Floor.runsProcess(plan, t)) continue; // a noop ticket has no network to refuse
            Fields f = written.get(t.group());
            Val<Boolean> set = f != null && f.network != null ? f.network : raw.defaults.network;
            Node node = set != null ? set.node() : nodeOf(t.id());
            byNode.computeIfAbsent(node, k -> new ArrayList<>()).add(t.id());
            inDefaults.put(node, set != null && set == raw.defaults.network);
        }
        byNode.forEach((node, ids) -> {
            if (inDefaults.get(node)) {
                problems.at(node, "defaults sets network: true (" + Floor.tickets(ids) + "), refused by " + floor.noNetworkOption(),
                        "remove it from defaults (a ticket then runs without network)");
            } else {
                problems.at(node, Floor.tickets(ids) + " set" + (ids.size() == 1 ? "s" : "") + " network: true, refused by " + floor.noNetworkOption(),
                        "remove it (the ticket then runs without network)");
            }
        });
    }

    /**
     * Each <code>${{ env.NAME }}</code> not allowed, where it is written: in the env of an agent profile some ticket uses,
     * of defaults, or of a ticket. That is all a ticket's env can read: a planned ticket's env values are these texts as
     * written (they keep their references until the attempt renders them, {@code PlanBuilder}), and a variable's value
     * cannot hold a reference; so no pass over the planned tickets could find another.
     */
    private void environment() {
        Set<String> used = new HashSet<>();
        for (PlannedTicket t : plan.tickets()) used.add(t.agent());
        for (Profile p : raw.agents.values()) {
            if (used.contains(p.name())) references(p.env(), "of agent profile '" + p.name() + "'");
        }
        references(raw.defaults.env, "of defaults");
        Set<Fields> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (Fields f : raw.tickets) {
            if (seen.add(f)) references(f.env, "of ticket '" + (f.id == null ? "?" : f.id.value()) + "'");
        }
    }

    /**
     * Each ticket whose {@code PATH} names a directory inside a state directory the sandbox hides from it
     * ({@link StatePaths#hits}), at the {@code PATH} value that wins (the ticket's env, else defaults', else its agent
     * profile's), or at the ticket when it sets none (the sandbox's default {@code PATH}).
     */
    private void statePaths() {
        record Key(Node node, String where, String entry, java.nio.file.Path stateDir) {}
        Map<Key, List<String>> byKey = new LinkedHashMap<>();
        Map<Key, StatePaths.Hit> first = new HashMap<>();
        Map<String, PlannedTicket> byId = new HashMap<>();
        for (PlannedTicket t : plan.tickets()) byId.put(t.id(), t);
        for (StatePaths.Hit hit : StatePaths.hits(plan, stateDirs)) {
            PlannedTicket t = byId.get(hit.ticket());
            Fields f = written.get(t.group());
            Profile p = raw.agents.get(t.agent());
            Val<String> path;
            String where;
            if (f != null && f.env != null && f.env.get("PATH") != null) {
                path = f.env.get("PATH");
                where = "env PATH of ticket '" + t.group() + "'";
            } else if (raw.defaults.env != null && raw.defaults.env.get("PATH") != null) {
                path = raw.defaults.env.get("PATH");
                where = "env PATH of defaults";
            } else if (p != null && p.env() != null && p.env().get("PATH") != null) {
                path = p.env().get("PATH");
                where = "env PATH of agent profile '" + p.name() + "'";
            } else {
                path = null;
                where = "ticket '" + t.group() + "', which sets no PATH,";
            }
            Key key = new Key(path != null ? path.node() : nodeOf(t.id()), where, hit.entry(), hit.stateDir());
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(t.id());
            first.putIfAbsent(key, hit);
        }
        byKey.forEach((key, ids) -> {
            StatePaths.Hit hit = first.get(key);
            problems.at(key.node(), key.where() + " (" + Floor.tickets(ids) + "): " + hit.what(), hit.fix());
        });
    }

    private void references(Map<String, Val<String>> env, String of) {
        if (env == null) return;
        env.forEach((key, val) -> {
            List<Templates.Reference> refs = Templates.references(val.value());
            for (int i = 0; i < refs.size(); i++) {
                String expr = refs.get(i).expression();
                if (!expr.startsWith("env.")) continue;
                String name = expr.substring("env.".length());
                if (floor.allowsEnv(name)) continue;
                problems.at(val.node() instanceof ScalarNode s ? source.referenceMark(s, i, refs.size()) : val.node().getStartMark(),
                        "env " + key + " " + of + " reads ${{ env." + name + " }} of swarm's environment, not allowed by "
                                + floor.allowEnvOption(),
                        "remove the reference, or allow the name: " + floor.allowEnvWith(allowedWith(name)));
            }
        });
    }

    /** The allowed names with {@code name}. */
    private java.util.Set<String> allowedWith(String name) {
        java.util.TreeSet<String> names = new java.util.TreeSet<>(floor.allowedEnv());
        names.add(name);
        return names;
    }

    /** The node of the spec's ticket that planned ticket {@code id} comes from (null when unknown: reported at 0:0). */
    private Node nodeOf(String id) {
        Fields f = written.get(groups.get(id));
        return f == null ? null : f.node;
    }
}
