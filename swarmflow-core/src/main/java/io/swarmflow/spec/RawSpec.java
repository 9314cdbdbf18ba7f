package io.swarmflow.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The spec as written, type-checked but not yet resolved: every value keeps the YAML node it came
 * from so later checks can point at it. Absent keys are null.
 */
final class RawSpec {
    /** A value and where it was written. */
    record Val<T>(T value, Node node) {}

    record Retries(Node node, Val<Integer> max, Val<Long> initial, Val<Long> maxBackoff, Val<Double> multiplier) {}

    record Limits(Val<Long> cpuMillis, Val<Long> addressSpace, Val<Long> fileSize, Val<Integer> processes, Val<Long> logSize,
                  Val<Long> tmpSize) {}

    record Output(String name, Node node, Val<String> file, Val<String> json) {}

    /** An agent profile as written; {@code keys} holds the node of each key written (the key, not its value). */
    record Profile(String name, Node node, Val<String> kind, Val<SandboxPolicy> sandbox, Limits limits,
                   Map<String, Val<String>> env, Val<Integer> concurrency, Val<Long> duration, Map<String, Node> keys) {}

    /** Fields of a ticket; also used for {@code defaults}, which additionally may hold sandbox and limits. */
    static final class Fields {
        Node node;
        Val<String> id;
        Val<String> title;
        List<Val<String>> needs;
        /**
         * Entries of {@code needs} holding a reference (<code>${{</code>), which is never substituted there: reported by
         * PlanBuilder, which knows the ticket ids the entry could have meant.
         */
        final List<Val<String>> needsReferences = new ArrayList<>();
        Val<String> agent;
        Val<String> run;
        Map<String, Val<String>> env;
        Val<Long> timeout;
        Retries retries;
        Val<Integer> priority;
        Val<When> when;
        Val<ApprovalMode> approval;
        Val<WorkspaceMode> workspace;
        Val<Boolean> network;
        Map<String, Output> outputs;
        Node matrixNode;
        Map<String, List<Val<String>>> matrix;
        Val<Long> duration;
        Val<SandboxPolicy> sandbox;
        Limits limits;
        /** The node of each key written (the key, not its value: what a "remove it" points at). */
        final Map<String, Node> keys = new java.util.HashMap<>();
        /** Keys present with a value of the wrong type (already reported), so no "missing" error follows. */
        final java.util.Set<String> invalid = new java.util.HashSet<>();
        /** Keys written misspelled (reported as unknown, with this key as did-you-mean), to the value written. */
        final Map<String, Node> misspelled = new java.util.HashMap<>();

        /**
         * Whether the whole mapping was written wrongly (reported): {@code defaults} misspelled, or not a mapping. Any key
         * may have been meant, so every key counts as miswritten.
         */
        boolean unreadable;

        /** Whether {@code key} was written, but wrongly (reported): its absence needs no error of its own. */
        boolean miswritten(String key) {
            return unreadable || invalid.contains(key) || misspelled.containsKey(key);
        }
    }

    Node root;
    Val<String> name;
    Val<String> description;
    Val<Integer> concurrency;
    Fields defaults = new Fields();
    Node varsNode;
    /**
     * Variables written wrongly (reported: a bad name, a list or mapping as value); with {@code null}, all of them, as
     * {@code vars} is misspelled or not a mapping. References to them need no error of their own.
     */
    java.util.Set<String> miswrittenVars = new java.util.HashSet<>();
    /** Agent profiles written wrongly (reported: a bad name, not a mapping); with {@code null}, all, as for vars. */
    java.util.Set<String> miswrittenAgents = new java.util.HashSet<>();
    final Map<String, Val<String>> vars = new LinkedHashMap<>();
    Val<String> repo;
    final Map<String, Profile> agents = new LinkedHashMap<>();
    /**
     * Agent profiles left out because their name is invalid (reported): not in {@link #agents}, so no ticket can use one,
     * but their bodies are still checked, every problem at once.
     */
    final List<Profile> leftOutAgents = new ArrayList<>();
    final List<Fields> tickets = new ArrayList<>();
}
