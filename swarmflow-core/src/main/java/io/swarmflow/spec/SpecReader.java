package io.swarmflow.spec;

import io.swarmflow.spec.RawSpec.Fields;
import io.swarmflow.spec.RawSpec.Limits;
import io.swarmflow.spec.RawSpec.Output;
import io.swarmflow.spec.RawSpec.Profile;
import io.swarmflow.spec.RawSpec.Retries;
import io.swarmflow.spec.RawSpec.Val;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/** Walks the YAML node tree into a {@link RawSpec}, reporting unknown keys and wrong types. */
final class SpecReader {
    static final List<String> TOP_KEYS = List.of("name", "description", "concurrency", "defaults", "vars", "repo", "agents", "tickets");
    static final List<String> TICKET_KEYS = List.of("id", "title", "needs", "agent", "run", "env", "timeout", "retries",
            "priority", "when", "approval", "workspace", "network", "outputs", "matrix", "duration");
    static final List<String> DEFAULTS_KEYS = List.of("agent", "run", "env", "timeout", "retries", "priority", "when",
            "approval", "workspace", "network", "duration", "sandbox", "limits");
    static final List<String> AGENT_KEYS = List.of("kind", "sandbox", "limits", "env", "concurrency", "duration");
    static final List<String> LIMIT_KEYS = List.of("cpu-time", "address-space", "file-size", "processes", "log-size", "tmp-size");
    static final List<String> RETRY_KEYS = List.of("max", "backoff");
    static final List<String> BACKOFF_KEYS = List.of("initial", "max", "multiplier");
    static final List<String> OUTPUT_KEYS = List.of("file", "json");

    static final Map<String, When> WHEN = ordered("success", When.SUCCESS, "failure", When.FAILURE, "always", When.ALWAYS);
    static final Map<String, ApprovalMode> APPROVAL = ordered("none", ApprovalMode.NONE, "before-run", ApprovalMode.BEFORE_RUN);
    static final Map<String, WorkspaceMode> WORKSPACE = ordered("repo", WorkspaceMode.REPO, "run", WorkspaceMode.RUN,
            "worktree", WorkspaceMode.WORKTREE);
    static final Map<String, SandboxPolicy> SANDBOX = ordered("required", SandboxPolicy.REQUIRED,
            "best-effort", SandboxPolicy.BEST_EFFORT, "off", SandboxPolicy.OFF);

    private static final Pattern INTEGER = Pattern.compile("[-+]?\\d{1,18}");
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?");
    /** A variable name, in vars: and in --var. */
    static final Pattern VAR_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]{0,63}");
    static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    static final Pattern SIMPLE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_-]{0,63}");

    /** Required keys whose empty value gets its own message from the caller ("has no tickets", "has an empty 'kind'"). */
    private static final java.util.Set<String> NULL_REPORTED_BY_CALLER = java.util.Set.of("tickets", "kind");

    /**
     * The texts YAML 1.1 reads as booleans, in the three cases it accepts (true, True, TRUE): the same set, as strings, as
     * the schema's boolean, so a plain {@code Yes} (a string to YAML 1.2 tools) and a quoted {@code "yes"} are accepted too.
     */
    static final Map<String, Boolean> BOOLEANS = booleans();

    /** Separates what is wrong from how to fix it in the messages of keys that belong elsewhere. */
    private static final String HINT = "; ";
    /** For a {@code backoff:} written next to {@code retries:} rather than inside it. */
    private static final String BACKOFF_OUTSIDE_RETRIES = "'backoff' belongs inside retries, not beside it" + HINT
            + "write retries: {max: 2, backoff: {initial: 1s, max: 30s}}";

    private final Problems problems;

    SpecReader(Problems problems) {
        this.problems = problems;
    }

    RawSpec read(Node root) {
        RawSpec spec = new RawSpec();
        spec.root = root;
        Map<String, Node> misspelled = new HashMap<>();
        Map<String, NodeTuple> top = fields(root, "the spec", TOP_KEYS, Map.of(), misspelled);
        if (top == null) return spec;
        spec.name = str(value(top, "name"), "name");
        spec.description = str(value(top, "description"), "description");
        spec.concurrency = integer(value(top, "concurrency"), "concurrency", 1);
        spec.repo = str(value(top, "repo"), "repo");
        Node defaults = value(top, "defaults");
        if (present(defaults)) spec.defaults = defaults(defaults);
        // 'defautls:' (reported): what it holds is unknown, so tickets are not checked for what defaults could give them
        if (!top.containsKey("defaults") && misspelled.containsKey("defaults")) spec.defaults.unreadable = true;
        Node vars = value(top, "vars");
        if (present(vars)) readVars(vars, spec);
        if (!top.containsKey("vars") && misspelled.containsKey("vars")) spec.miswrittenVars = null; // 'var:' (reported)
        Node agents = value(top, "agents");
        if (present(agents)) readAgents(agents, spec);
        if (!top.containsKey("agents") && misspelled.containsKey("agents")) spec.miswrittenAgents = null; // 'agnets:' (reported)
        Node tickets = value(top, "tickets");
        if (!present(tickets)) {
            problems.at(top.containsKey("tickets") ? top.get("tickets").getKeyNode() : root,
                    "the spec has no tickets", "add a 'tickets:' list with at least one ticket");
        } else if (tickets instanceof SequenceNode seq) {
            if (seq.getValue().isEmpty()) problems.at(seq, "'tickets' is empty", "add at least one ticket");
            for (Node t : seq.getValue()) {
                Fields f = ticket(t);
                if (f != null) spec.tickets.add(f);
            }
        } else {
            problems.at(tickets, "'tickets' must be a list of tickets, not " + describe(tickets),
                    "write each ticket as a list item: '- id: build'");
        }
        return spec;
    }

    private void readVars(Node node, RawSpec spec) {
        spec.varsNode = node;
        Map<String, NodeTuple> vars = mapping(node, "vars");
        if (vars == null) {
            spec.miswrittenVars = null;
            return;
        }
        vars.forEach((name, t) -> {
            if (!VAR_NAME.matcher(name).matches()) {
                problems.at(t.getKeyNode(), "invalid variable name '" + name + "'",
                        "use 1-64 characters of letters, digits, '_' and '-', starting with a letter or '_'");
                spec.miswrittenVars.add(name);
                return;
            }
            Node v = t.getValueNode();
            if (v instanceof ScalarNode s) {
                spec.vars.put(name, new Val<>(isNull(s) ? "" : s.getValue(), s));
            } else {
                problems.at(v, "variable '" + name + "' must be a string, number or boolean, not " + describe(v), "write one value, in quotes (\"...\") if it starts with [ or {");
                spec.miswrittenVars.add(name);
            }
        });
    }

    private void readAgents(Node node, RawSpec spec) {
        Map<String, NodeTuple> agents = mapping(node, "agents");
        if (agents == null) {
            spec.miswrittenAgents = null;
            return;
        }
        agents.forEach((name, t) -> {
            boolean validName = SpecLoader.ID.matcher(name).matches();
            if (!validName) {
                problems.at(t.getKeyNode(), "invalid agent profile name '" + name + "'",
                        "use 1-63 characters of a-z, 0-9, '-' and '_', starting with a letter or digit");
                spec.miswrittenAgents.add(name);
                // its body is still read and checked (leftOutAgents): every problem at once, not one round per fix
            }
            Map<String, Node> misspelled = new HashMap<>();
            Map<String, NodeTuple> f = fields(t.getValueNode(), "agent profile '" + name + "'", AGENT_KEYS, Map.of(), misspelled);
            if (f == null) {
                spec.miswrittenAgents.add(name);
                return;
            }
            Val<String> kind = str(value(f, "kind"), "kind");
            // a misspelled kind ('knd: shell') is reported as an unknown key with its did-you-mean
            if (kind == null && !f.containsKey("kind") && !misspelled.containsKey("kind")) {
                problems.at(t.getValueNode(), "agent profile '" + name + "' has no 'kind'", "add kind: shell or kind: noop");
            } else if (kind == null && f.containsKey("kind") && !present(value(f, "kind"))) {
                // 'kind:' with nothing after it is YAML's null, which str() passes over as if the key were absent
                problems.at(f.get("kind").getKeyNode(), "agent profile '" + name + "' has an empty 'kind'",
                        "write kind: shell or kind: noop");
            }
            Profile profile = new Profile(name, t.getKeyNode(), kind,
                    enumValue(value(f, "sandbox"), "sandbox", SANDBOX),
                    limits(value(f, "limits")),
                    env(value(f, "env"), "env"),
                    integer(value(f, "concurrency"), "concurrency", 0),
                    duration(value(f, "duration"), "duration"), keyNodes(f));
            if (validName) spec.agents.put(name, profile);
            else spec.leftOutAgents.add(profile);
        });
    }

    private Fields defaults(Node node) {
        Map<String, String> special = new HashMap<>();
        for (String k : List.of("id", "title", "needs", "outputs", "matrix")) {
            special.put(k, "'" + k + "' cannot be set in defaults" + HINT + "set it on each ticket");
        }
        special.put("backoff", BACKOFF_OUTSIDE_RETRIES);
        Fields d = new Fields();
        Map<String, NodeTuple> f = fields(node, "defaults", DEFAULTS_KEYS, special, d.misspelled);
        d.node = node;
        if (f == null) { // not a mapping (reported)
            d.unreadable = true;
            return d;
        }
        f.forEach((k, v) -> { if (isNull(v.getValueNode())) d.invalid.add(k); }); // reported by fields()
        common(f, d);
        d.sandbox = enumValue(value(f, "sandbox"), "sandbox", SANDBOX);
        d.limits = limits(value(f, "limits"));
        return d;
    }

    private Fields ticket(Node node) {
        Map<String, String> special = new HashMap<>();
        for (String k : List.of("sandbox", "limits", "kind", "concurrency")) {
            special.put(k, "'" + k + "' belongs to an agent profile, not a ticket" + HINT
                    + "set it under agents: (or defaults: for sandbox and limits)");
        }
        special.put("backoff", BACKOFF_OUTSIDE_RETRIES);
        Fields t = new Fields();
        Map<String, NodeTuple> f = fields(node, "a ticket", TICKET_KEYS, special, t.misspelled);
        if (f == null) return null;
        t.node = node;
        f.forEach((k, v) -> { if (isNull(v.getValueNode())) t.invalid.add(k); }); // reported by fields()
        t.id = id(value(f, "id"), "id", "ticket id", "id: ");
        if (t.id == null && f.containsKey("id")) t.invalid.add("id");
        t.title = str(value(f, "title"), "title");
        Node needs = value(f, "needs");
        if (present(needs)) {
            if (needs instanceof SequenceNode seq) {
                t.needs = new ArrayList<>();
                for (Node n : seq.getValue()) {
                    if (!present(n)) {
                        problems.at(n, "an entry of 'needs' is empty", "write a ticket id, or remove the entry");
                        t.invalid.add("needs");
                        continue;
                    }
                    Val<String> v = id(n, "needs", "'needs' entry", "needs: [");
                    if (v != null) t.needs.add(v);
                    else t.invalid.add("needs");
                    if (v == null && n instanceof ScalarNode s && !Templates.openings(s.getValue()).isEmpty()) {
                        t.needsReferences.add(new Val<>(s.getValue(), s));
                    }
                }
            } else {
                problems.at(needs, "'needs' must be a list of ticket ids, not " + describe(needs),
                        needs instanceof ScalarNode s ? "write needs: [" + s.getValue() + "]" : "write needs: [build, test]");
                t.invalid.add("needs");
            }
        }
        common(f, t);
        Node outputs = value(f, "outputs");
        if (present(outputs)) {
            t.outputs = outputs(outputs, t.invalid);
            if (t.outputs == null) t.invalid.add("outputs");
        }
        Node matrix = value(f, "matrix");
        if (present(matrix)) {
            t.matrixNode = matrix;
            t.matrix = matrix(matrix);
        }
        return t;
    }

    private void common(Map<String, NodeTuple> f, Fields t) {
        t.keys.putAll(keyNodes(f));
        t.agent = noted(f, t, "agent", str(value(f, "agent"), "agent"));
        t.run = noted(f, t, "run", str(value(f, "run"), "run"));
        t.env = noted(f, t, "env", env(value(f, "env"), "env"));
        t.timeout = noted(f, t, "timeout", duration(value(f, "timeout"), "timeout"));
        t.retries = noted(f, t, "retries", retries(value(f, "retries"), t.invalid));
        t.priority = noted(f, t, "priority", integer(value(f, "priority"), "priority", Integer.MIN_VALUE));
        t.when = noted(f, t, "when", enumValue(value(f, "when"), "when", WHEN));
        t.approval = noted(f, t, "approval", enumValue(value(f, "approval"), "approval", APPROVAL));
        t.workspace = noted(f, t, "workspace", enumValue(value(f, "workspace"), "workspace", WORKSPACE));
        t.network = noted(f, t, "network", bool(value(f, "network"), "network"));
        t.duration = noted(f, t, "duration", duration(value(f, "duration"), "duration"));
    }

    /** The node of each key of {@code f}, by its name. */
    private static Map<String, Node> keyNodes(Map<String, NodeTuple> f) {
        Map<String, Node> keys = new HashMap<>();
        f.forEach((k, t) -> keys.put(k, t.getKeyNode()));
        return keys;
    }

    /**
     * {@code value}, read from {@code key}; when it is null although the key has a value (refused, reported), the key is
     * recorded as miswritten, so no check takes it for absent (or for defaults' value) and reports a second error.
     */
    private static <T> T noted(Map<String, NodeTuple> f, Fields t, String key, T value) {
        if (value == null && present(value(f, key))) t.invalid.add(key);
        return value;
    }

    /**
     * The retries; {@code invalid} gets {@code retries.initial} and {@code retries.backoff.max} for a backoff bound written
     * wrongly, misspelled included (reported), so the bound is not taken from defaults and compared with the other.
     */
    private Retries retries(Node node, java.util.Set<String> invalid) {
        if (!present(node)) return null;
        if (node instanceof ScalarNode) {
            Val<Integer> max = integer(node, "retries", 0);
            return max == null ? null : new Retries(node, max, null, null, null);
        }
        if (!(node instanceof MappingNode)) {
            problems.at(node, "'retries' must be a number or a mapping with max and backoff, not " + describe(node),
                    "write retries: 3 or retries: {max: 3, backoff: {initial: 1s, max: 1m}}");
            return null;
        }
        Map<String, Node> misspelledKeys = new HashMap<>();
        Map<String, NodeTuple> f = fields(node, "retries", RETRY_KEYS, Map.of(), misspelledKeys);
        if (f == null) return null;
        Val<Integer> max = integer(value(f, "max"), "max", 0);
        Val<Long> initial = null;
        Val<Long> maxBackoff = null;
        Val<Double> multiplier = null;
        Node backoff = value(f, "backoff");
        if (present(backoff)) {
            Map<String, Node> misspelled = new HashMap<>();
            Map<String, NodeTuple> b = fields(backoff, "backoff", BACKOFF_KEYS, Map.of(), misspelled);
            if (b != null) {
                initial = duration(value(b, "initial"), "initial");
                maxBackoff = duration(value(b, "max"), "max");
                multiplier = number(value(b, "multiplier"), "multiplier", 1.0);
            }
            if (b == null || (initial == null && b.containsKey("initial")) || misspelled.containsKey("initial")) {
                invalid.add("retries.initial");
            }
            if (b == null || (maxBackoff == null && b.containsKey("max")) || misspelled.containsKey("max")) {
                invalid.add("retries.backoff.max");
            }
        } else if (f.containsKey("backoff") || misspelledKeys.containsKey("backoff")) { // 'backoff:' without a value, or misspelled
            invalid.add("retries.initial");
            invalid.add("retries.backoff.max");
        }
        return new Retries(node, max, initial, maxBackoff, multiplier);
    }

    private Limits limits(Node node) {
        if (!present(node)) return null;
        Map<String, NodeTuple> f = fields(node, "limits", LIMIT_KEYS, Map.of());
        if (f == null) return null;
        return new Limits(duration(value(f, "cpu-time"), "cpu-time"), size(value(f, "address-space"), "address-space"),
                size(value(f, "file-size"), "file-size"), integer(value(f, "processes"), "processes", 0),
                size(value(f, "log-size"), "log-size"), size(value(f, "tmp-size"), "tmp-size"));
    }

    /**
     * The outputs written well; {@code invalid} gets {@code outputs.NAME} for each one refused (reported), whose
     * references then need no error of their own.
     */
    private Map<String, Output> outputs(Node node, java.util.Set<String> invalid) {
        Map<String, NodeTuple> f = mapping(node, "outputs");
        if (f == null) return null;
        Map<String, Output> outputs = new LinkedHashMap<>();
        f.forEach((name, t) -> {
            if (!SIMPLE_NAME.matcher(name).matches()) {
                problems.at(t.getKeyNode(), "invalid output name '" + name + "'",
                        "use 1-64 characters of letters, digits, '_' and '-', starting with a letter, digit or '_'");
                return;
            }
            Node v = t.getValueNode();
            if (v instanceof ScalarNode s && !isNull(s)) {
                outputs.put(name, new Output(name, t.getKeyNode(), new Val<>(s.getValue(), s), null));
            } else if (v instanceof MappingNode) {
                int reported = problems.size();
                Map<String, NodeTuple> o = fields(v, "output '" + name + "'", OUTPUT_KEYS, Map.of());
                if (o == null) return;
                Val<String> file = str(value(o, "file"), "file");
                Val<String> json = str(value(o, "json"), "json");
                if ((file == null) == (json == null)) {
                    // with neither, an unknown key or a value of the wrong type is reported above and says what to write
                    if (file != null || problems.size() == reported) {
                        problems.at(v, "output '" + name + "' needs exactly one of 'file' and 'json'",
                                "write {file: result.txt} or {json: key}");
                    }
                    return;
                }
                if (json != null && json.value().isBlank()) {
                    problems.at(json.node(), "output '" + name + "' has an empty json key",
                            "write the key of the last JSON line of stdout to read, for example {json: version}");
                    return;
                }
                outputs.put(name, new Output(name, t.getKeyNode(), file, json));
            } else {
                problems.at(v, "output '" + name + "' must be a file path or a mapping with file or json, not " + describe(v),
                        "write " + name + ": result.txt, or " + name + ": {json: key}");
            }
        });
        for (String name : f.keySet()) if (!outputs.containsKey(name)) invalid.add("outputs." + name);
        return outputs;
    }

    /**
     * The matrix, or null when it cannot be expanded as written (reported): a key without usable values is not
     * dropped, as the ticket's ids and texts would then be checked against a matrix the user did not write.
     */
    private Map<String, List<Val<String>>> matrix(Node node) {
        Map<String, NodeTuple> f = mapping(node, "matrix");
        if (f == null) return null;
        int written = ((MappingNode) node).getValue().size();
        if (written == 0) {
            problems.at(node, "'matrix' is empty", "give it a key with a list of values, such as os: [linux, mac], or remove it");
            return null;
        }
        boolean broken = f.size() < written; // a key was rejected (reported)
        Map<String, List<Val<String>>> matrix = new LinkedHashMap<>();
        for (Map.Entry<String, NodeTuple> entry : f.entrySet()) {
            String key = entry.getKey();
            Node v = entry.getValue().getValueNode();
            if (!SIMPLE_NAME.matcher(key).matches()) {
                problems.at(entry.getValue().getKeyNode(), "invalid matrix key '" + key + "'",
                        "use 1-64 characters of letters, digits, '_' and '-', starting with a letter, digit or '_'");
                broken = true;
            } else if (!(v instanceof SequenceNode seq)) {
                problems.at(v, "matrix '" + key + "' must be a list of values, not " + describe(v),
                        "write " + key + ": [a, b]");
                broken = true;
            } else if (seq.getValue().isEmpty()) {
                problems.at(v, "matrix '" + key + "' is empty", "give at least one value");
                broken = true;
            } else {
                List<Val<String>> values = new ArrayList<>();
                for (Node item : seq.getValue()) {
                    if (item instanceof ScalarNode s && !isNull(s)) {
                        values.add(new Val<>(s.getValue(), s));
                    } else {
                        problems.at(item, "matrix values must be strings, numbers or booleans, not " + describe(item),
                                "write each value as one string, number or boolean, such as os: [linux, mac]");
                    }
                }
                broken |= values.isEmpty();
                matrix.put(key, values);
            }
        }
        return broken ? null : matrix;
    }

    /** Environment variables the executor sets for every attempt (docs/sandbox.md), which a spec's {@code env} cannot grant. */
    static final java.util.Set<String> SWARM_ENV = java.util.Set.of("HOME", "SWARM_RUN_ID", "SWARM_TICKET_ID", "SWARM_ATTEMPT",
            "SWARM_SCRATCH", "SWARM_SCRIPT");

    private Map<String, Val<String>> env(Node node, String key) {
        if (!present(node)) return null;
        Map<String, NodeTuple> f = mapping(node, key);
        if (f == null) return null;
        Map<String, Val<String>> env = new LinkedHashMap<>();
        f.forEach((name, t) -> {
            if (!ENV_NAME.matcher(name).matches()) {
                problems.at(t.getKeyNode(), "invalid environment variable name '" + name + "'",
                        "use 1-128 characters of letters, digits and '_', starting with a letter or '_'");
                return;
            }
            if (SWARM_ENV.contains(name)) { // the executor sets these for every attempt, over what a spec grants
                problems.at(t.getKeyNode(), "environment variable '" + name + "' is set by swarm for every attempt and "
                        + "cannot be granted", "remove it (a script can still set it for a command: NAME=value command)");
                return;
            }
            Node v = t.getValueNode();
            if (v instanceof ScalarNode s) {
                env.put(name, new Val<>(isNull(s) ? "" : s.getValue(), s));
            } else {
                problems.at(v, "environment variable '" + name + "' must be a string, not " + describe(v), "write one value, in quotes (\"...\") if it starts with [ or {");
            }
        });
        return env;
    }

    // ---- typed scalars ---------------------------------------------------------------------

    private Val<String> str(Node node, String key) {
        if (!present(node)) return null;
        if (node instanceof ScalarNode s) return new Val<>(s.getValue(), s);
        problems.at(node, "'" + key + "' must be a string, not " + describe(node), "write one value, in quotes (\"...\") if it starts with [ or {");
        return null;
    }

    /**
     * A ticket id (or an entry of needs). Unquoted true, yes, on, false... are booleans to YAML (1.1, and true and
     * false to 1.2 too), and 1e3 or 1.5 numbers with a fraction or exponent, which the schema refuses as ids (it takes
     * whole numbers); the loader used to take their text.
     */
    private Val<String> id(Node node, String key, String what, String example) {
        // a ticket's own id stays as written, so that needs of exactly it are not reported as missing
        if (key.equals("needs") && node instanceof ScalarNode s && !Templates.openings(s.getValue()).isEmpty()) {
            return null; // the caller keeps it for PlanBuilder, which knows the tickets it could have meant
        }
        if (node instanceof ScalarNode s && (s.getTag().equals(Tag.BOOL) || s.getTag().equals(Tag.FLOAT))) {
            String type = s.getTag().equals(Tag.BOOL) ? "a boolean" : "a number";
            problems.at(node, what + " '" + s.getValue() + "' is " + type + " to YAML, not text",
                    "write it in quotes: " + example + "'" + s.getValue() + "'" + (example.endsWith("[") ? "]" : ""));
            return null;
        }
        return str(node, key);
    }

    private Val<Integer> integer(Node node, String key, int min) {
        if (!present(node) || reference(node, key)) return null;
        if (node instanceof ScalarNode s && quoted(s) && INTEGER.matcher(s.getValue().strip().replace("_", "")).matches()) {
            problems.at(node, "'" + key + "' must be an integer, not a string ('" + abbreviate(s.getValue()) + "')",
                    "write the number without quotes: " + key + ": " + s.getValue().strip());
            return null;
        }
        if (node instanceof ScalarNode s && !quoted(s)) {
            String text = s.getValue().strip().replace("_", "");
            if (s.getValue().contains("_") && text.matches("[-+]?\\d+")) {
                // YAML 1.1 reads 1_000 as 1000, YAML 1.2 (and so editors checking with the schema) as text
                problems.at(node, "'" + key + "' must be written without '_', not " + s.getValue(),
                        "write " + key + ": " + s.getValue().strip().replace("_", ""));
                return null;
            }
            if (leadingZero(s, key)) return null;
            if (INTEGER.matcher(text).matches()) {
                long v = Long.parseLong(text);
                if (v > Integer.MAX_VALUE) {
                    problems.at(node, "'" + key + "' is too large: " + s.getValue(), "use at most " + Integer.MAX_VALUE);
                    return null;
                }
                if (v < min) {
                    problems.at(node, "'" + key + "' must be at least " + min + ", not " + v, "use " + min + " or more");
                    return null;
                }
                return new Val<>((int) v, s);
            }
            if (text.matches("[-+]?\\d+")) { // more digits than a long holds
                boolean negative = text.startsWith("-");
                problems.at(node, "'" + key + "' is too " + (negative ? "small" : "large") + ": " + s.getValue(),
                        negative ? "use " + min + " or more" : "use at most " + Integer.MAX_VALUE);
                return null;
            }
        }
        problems.at(node, "'" + key + "' must be an integer, not " + describe(node),
                "write a whole number in decimal digits, such as " + Math.max(min, 2));
        return null;
    }

    /**
     * Records a problem and returns true when {@code s} is an unquoted whole number with a leading zero ({@code 010}):
     * YAML 1.1 tools read it as octal (8), YAML 1.2 tools and this loader as decimal (10), so the spec would mean two
     * things.
     */
    private boolean leadingZero(ScalarNode s, String key) {
        String text = s.getValue().strip();
        if (quoted(s) || !text.matches("[-+]?0\\d+")) return false;
        String plain = text.replaceFirst("^([-+]?)0+(?=\\d)", "$1");
        String octal = text.matches("[-+]?0[0-7]{1,20}") ? new java.math.BigInteger(text, 8).toString() : null;
        problems.at(s, "'" + key + "' must be written without a leading zero, not " + text
                        + " (YAML 1.1 tools read it as an octal number, YAML 1.2 tools as decimal)",
                "write " + key + ": " + plain + (octal == null || octal.equals(plain.replace("+", "")) ? ""
                        : " (or " + octal + ", if octal was meant)"));
        return true;
    }

    private Val<Double> number(Node node, String key, double min) {
        if (!present(node) || reference(node, key)) return null;
        if (node instanceof ScalarNode s && leadingZero(s, key)) return null;
        if (node instanceof ScalarNode s && quoted(s) && NUMBER.matcher(s.getValue().strip()).matches()) {
            problems.at(node, "'" + key + "' must be a number, not a string ('" + abbreviate(s.getValue()) + "')",
                    "write the number without quotes: " + key + ": " + s.getValue().strip());
            return null;
        }
        if (node instanceof ScalarNode s && NUMBER.matcher(s.getValue().strip()).matches()) {
            double v = Double.parseDouble(s.getValue().strip());
            if (Double.isInfinite(v)) {
                problems.at(node, "'" + key + "' is too large: " + s.getValue(), "write a number such as 2 or 1.5");
                return null;
            }
            if (!(v >= min)) {
                problems.at(node, "'" + key + "' must be at least " + min + ", not " + s.getValue(), "use " + min + " or more");
                return null;
            }
            return new Val<>(v, s);
        }
        if (node instanceof ScalarNode s && s.getValue().strip().matches("[-+]?\\.(inf|Inf|INF|nan|NaN|NAN)")) {
            problems.at(node, "'" + key + "' must be a finite number, not " + s.getValue(), "write a number such as 2 or 1.5");
            return null;
        }
        if (node instanceof ScalarNode s && (s.getTag().equals(Tag.INT) || s.getTag().equals(Tag.FLOAT))) { // 0b101, 0x1F, 1:30
            problems.at(node, "'" + key + "' must be a decimal number, not " + s.getValue(), "write a number such as 2 or 1.5");
            return null;
        }
        problems.at(node, "'" + key + "' must be a number, not " + describe(node), "write a number such as 2 or 1.5");
        return null;
    }

    private Val<Boolean> bool(Node node, String key) {
        if (!present(node) || reference(node, key)) return null;
        if (node instanceof ScalarNode s && BOOLEANS.containsKey(s.getValue())) return new Val<>(BOOLEANS.get(s.getValue()), s);
        problems.at(node, "'" + key + "' must be true or false, not " + describe(node), "write " + key + ": true or " + key + ": false");
        return null;
    }

    private Val<Long> duration(Node node, String key) {
        return parsed(node, key, Units::durationMillis, Units::durationHint, "a duration");
    }

    private Val<Long> size(Node node, String key) {
        if (node instanceof ScalarNode s && leadingZero(s, key)) return null; // a bare number is bytes
        return parsed(node, key, Units::bytes, text -> Units.SIZE_HINT, "a size");
    }

    /**
     * The value of a scalar that {@code parse} reads, or null with the problem recorded.
     *
     * @param hint how to fix a text that {@code parse} refuses, given that text ("" for a list or mapping)
     */
    private Val<Long> parsed(Node node, String key, Function<String, Long> parse, Function<String, String> hint, String what) {
        if (!present(node) || reference(node, key)) return null;
        if (!(node instanceof ScalarNode s)) {
            problems.at(node, "'" + key + "' must be " + what + ", not " + describe(node), hint.apply(""));
            return null;
        }
        try {
            return new Val<>(parse.apply(s.getValue()), s);
        } catch (IllegalArgumentException e) {
            problems.at(node, e.getMessage(), hint.apply(s.getValue()));
            return null;
        }
    }

    private <E> Val<E> enumValue(Node node, String key, Map<String, E> options) {
        if (!present(node) || reference(node, key)) return null;
        if (node instanceof ScalarNode s) {
            E e = options.get(s.getValue());
            // YAML 1.1 tools turn an unquoted 'off' into false; accept the result with the same meaning. Only the
            // forms YAML 1.2 reads as false too: an editor checking with the schema (enum off or false) shows no error.
            if (e == null && options == SANDBOX && !quoted(s) && List.of("false", "False", "FALSE").contains(s.getValue())) {
                e = options.get("off");
            }
            if (e != null) return new Val<>(e, s);
            String meant = problems.closest(s.getValue(), options.keySet());
            problems.at(node, "invalid " + key + " '" + s.getValue() + "'",
                    "use " + String.join(", ", options.keySet()) + (meant == null ? "" : "; did you mean '" + meant + "'?"));
            return null;
        }
        problems.at(node, "'" + key + "' must be one of " + String.join(", ", options.keySet()) + ", not " + describe(node),
                "write " + key + ": " + options.keySet().iterator().next());
        return null;
    }

    /**
     * Records a problem and returns true when {@code node} is a text holding a reference (<code>${{</code>, not escaped):
     * values that are not texts, ids and needs are used as written, so a reference there (a variable meant to set a
     * timeout) is never substituted, and "invalid duration '${{ vars.t }}'" would not say why.
     */
    private boolean reference(Node node, String key) {
        if (!(node instanceof ScalarNode s) || Templates.openings(s.getValue()).isEmpty()) return false;
        int at = Templates.openings(s.getValue()).get(0);
        String start = s.getValue().substring(at, Math.min(s.getValue().length(), at + 24)).lines().findFirst().orElse("");
        problems.at(node, "'" + start + (s.getValue().length() > at + start.length() ? "...'" : "'") + " in " + key
                        + " is not substituted: references work only in run, env, title, repo and output file paths",
                "write the value itself");
        return true;
    }

    // ---- mappings --------------------------------------------------------------------------

    /** The entries of a mapping with arbitrary string keys (vars, env, outputs, matrix, agents). */
    private Map<String, NodeTuple> mapping(Node node, String what) {
        return fields(node, "'" + what + "'", null, Map.of());
    }

    /**
     * The entries of a mapping by key; reports non-mappings, non-string and duplicate keys, and keys
     * outside {@code allowed} (unless null) with a did-you-mean. Returns null when it is not a mapping.
     */
    private Map<String, NodeTuple> fields(Node node, String what, List<String> allowed, Map<String, String> special) {
        return fields(node, what, allowed, special, new HashMap<>());
    }

    /**
     * As {@link #fields(Node, String, List, Map)}; also puts into {@code misspelled}, for each allowed key an
     * unknown key was reported as a misspelling of (its did-you-mean), the value written under the unknown key,
     * so a check for a missing key can tell that its absence was already explained.
     */
    private Map<String, NodeTuple> fields(Node node, String what, List<String> allowed, Map<String, String> special,
                                          Map<String, Node> misspelled) {
        if (!(node instanceof MappingNode map)) {
            problems.at(node, what + " must be a mapping, not " + describe(node),
                    allowed == null ? "write key: value pairs" : "write key: value pairs with keys " + String.join(", ", allowed));
            return null;
        }
        Map<String, NodeTuple> result = new LinkedHashMap<>();
        for (NodeTuple t : map.getValue()) {
            Node k = t.getKeyNode();
            if (k.getTag().equals(Tag.MERGE)) {
                problems.at(k, "YAML merge keys ('<<') are not supported", "use defaults: for settings shared by tickets");
                continue;
            }
            if (!(k instanceof ScalarNode ks) || isNull(ks)) {
                problems.at(k, "keys must be strings, not " + describe(k), "write a name before the ':'");
                continue;
            }
            String key = ks.getValue();
            if (result.containsKey(key)) {
                problems.at(k, "duplicate key '" + key + "' (first at line "
                        + (result.get(key).getKeyNode().getStartMark().getLine() + 1) + ")", "remove one of them");
                continue;
            }
            if (allowed != null && !allowed.contains(key)) {
                String msg = special.get(key);
                if (msg != null) {
                    problems.at(k, msg.substring(0, msg.indexOf(HINT)), msg.substring(msg.indexOf(HINT) + HINT.length()));
                } else {
                    problems.at(k, "unknown key '" + key + "' in " + what,
                            problems.didYouMean(key, allowed, "allowed keys: " + String.join(", ", allowed)));
                    String meant = problems.closest(key, allowed);
                    if (meant != null) misspelled.putIfAbsent(meant, t.getValueNode());
                }
                continue;
            }
            if (allowed != null && isNull(t.getValueNode()) && !NULL_REPORTED_BY_CALLER.contains(key)) {
                // an empty value would otherwise count as unset, so a ticket's 'timeout:' would keep defaults' timeout
                problems.at(k, "'" + key + "' has no value", "write a value after '" + key + ":', or remove the key to leave it unset");
            }
            result.put(key, t);
        }
        return result;
    }

    private static Node value(Map<String, NodeTuple> fields, String key) {
        NodeTuple t = fields.get(key);
        return t == null ? null : t.getValueNode();
    }

    static boolean present(Node node) {
        return node != null && !isNull(node);
    }

    static boolean isNull(Node node) {
        return node instanceof ScalarNode && node.getTag().equals(Tag.NULL);
    }

    static String describe(Node node) {
        if (node instanceof SequenceNode) return "a list";
        if (node instanceof MappingNode) return "a mapping";
        if (node == null || isNull(node)) return "nothing";
        Tag tag = node.getTag();
        if (tag.equals(Tag.INT) || tag.equals(Tag.FLOAT)) return "a number (" + ((ScalarNode) node).getValue() + ")";
        if (tag.equals(Tag.BOOL)) return "a boolean (" + ((ScalarNode) node).getValue() + ")";
        return "a string ('" + abbreviate(((ScalarNode) node).getValue()) + "')";
    }

    /** Whether a scalar was written in quotes (or as a block), which makes it a string whatever its text. */
    private static boolean quoted(ScalarNode s) {
        return s.getScalarStyle() != org.yaml.snakeyaml.DumperOptions.ScalarStyle.PLAIN;
    }

    private static Map<String, Boolean> booleans() {
        Map<String, Boolean> m = new HashMap<>();
        for (String t : List.of("true", "yes", "on")) {
            for (String s : List.of(t, t.substring(0, 1).toUpperCase(Locale.ROOT) + t.substring(1), t.toUpperCase(Locale.ROOT))) {
                m.put(s, true);
            }
        }
        for (String f : List.of("false", "no", "off")) {
            for (String s : List.of(f, f.substring(0, 1).toUpperCase(Locale.ROOT) + f.substring(1), f.toUpperCase(Locale.ROOT))) {
                m.put(s, false);
            }
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    private static <E> Map<String, E> ordered(Object... pairs) {
        Map<String, E> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            @SuppressWarnings("unchecked") E e = (E) pairs[i + 1];
            m.put((String) pairs[i], e);
        }
        return java.util.Collections.unmodifiableMap(m);
    }
}
