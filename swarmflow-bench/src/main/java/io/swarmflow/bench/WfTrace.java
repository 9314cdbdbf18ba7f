package io.swarmflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * A WfCommons trace (WfFormat schema 1.5): tasks from {@code workflow.specification.tasks[]} with
 * their {@code parents}/{@code children}, runtimes from {@code workflow.execution.tasks[].runtimeInSeconds}.
 * Tasks are put in a topological order (Kahn, lowest file position first), which becomes the plan
 * order and therefore the scheduler's tie-break among ready tickets.
 *
 * @param name    file name without extension
 * @param ids     task ids in topological order
 * @param seconds runtime of each task in seconds, by topological index
 * @param needs   parents of each task, as topological indices
 */
record WfTrace(String name, List<String> ids, double[] seconds, int[][] needs) {

    static WfTrace read(Path file) throws IOException {
        JsonNode root;
        try (InputStream in = file.toString().endsWith(".gz")
                ? new GZIPInputStream(Files.newInputStream(file)) : Files.newInputStream(file)) {
            root = new ObjectMapper().readTree(in);
        }
        JsonNode wf = root.path("workflow");
        JsonNode specTasks = wf.path("specification").path("tasks");
        if (!specTasks.isArray() || specTasks.isEmpty()) throw new IOException(file + ": no workflow.specification.tasks[] (WfFormat 1.5 expected)");
        Map<String, Double> runtime = new HashMap<>();
        for (JsonNode t : wf.path("execution").path("tasks")) runtime.put(t.path("id").asText(), t.path("runtimeInSeconds").asDouble());

        int n = specTasks.size();
        List<String> fileIds = new ArrayList<>(n);
        Map<String, Integer> pos = new HashMap<>();
        for (JsonNode t : specTasks) {
            pos.put(t.path("id").asText(), fileIds.size());
            fileIds.add(t.path("id").asText());
        }
        List<Set<Integer>> parents = new ArrayList<>(n);
        for (int i = 0; i < n; i++) parents.add(new LinkedHashSet<>());
        int k = 0;
        for (JsonNode t : specTasks) { // union of parents and children lists
            for (JsonNode p : t.path("parents")) parents.get(k).add(index(pos, p.asText(), file));
            for (JsonNode c : t.path("children")) parents.get(index(pos, c.asText(), file)).add(k);
            k++;
        }
        // Kahn with the lowest file position first
        int[] indeg = new int[n];
        List<List<Integer>> children = new ArrayList<>(n);
        for (int i = 0; i < n; i++) children.add(new ArrayList<>());
        for (int i = 0; i < n; i++) {
            indeg[i] = parents.get(i).size();
            for (int p : parents.get(i)) children.get(p).add(i);
        }
        PriorityQueue<Integer> q = new PriorityQueue<>();
        for (int i = 0; i < n; i++) if (indeg[i] == 0) q.add(i);
        int[] topoOf = new int[n];
        List<Integer> order = new ArrayList<>(n);
        while (!q.isEmpty()) {
            int i = q.poll();
            topoOf[i] = order.size();
            order.add(i);
            for (int c : children.get(i)) if (--indeg[c] == 0) q.add(c);
        }
        if (order.size() != n) throw new IOException(file + ": the task graph has a cycle");
        List<String> ids = new ArrayList<>(n);
        double[] seconds = new double[n];
        int[][] needs = new int[n][];
        for (int t = 0; t < n; t++) {
            int i = order.get(t);
            ids.add(fileIds.get(i));
            Double r = runtime.get(fileIds.get(i));
            if (r == null) throw new IOException(file + ": task " + fileIds.get(i) + " has no execution entry");
            seconds[t] = r;
            needs[t] = parents.get(i).stream().mapToInt(p -> topoOf[p]).sorted().toArray();
        }
        String name = file.getFileName().toString().replaceAll("\\.json(\\.gz)?$", "");
        return new WfTrace(name, ids, seconds, needs);
    }

    private static int index(Map<String, Integer> pos, String id, Path file) throws IOException {
        Integer i = pos.get(id);
        if (i == null) throw new IOException(file + ": edge to unknown task " + id);
        return i;
    }

    int size() {
        return ids.size();
    }

    int edges() {
        int e = 0;
        for (int[] n : needs) e += n.length;
        return e;
    }

    /** Longest path, summing {@code durations} (any unit). */
    static long criticalPath(long[] durations, int[][] needs) {
        long[] finish = new long[durations.length];
        long best = 0;
        for (int i = 0; i < durations.length; i++) {
            long start = 0;
            for (int p : needs[i]) start = Math.max(start, finish[p]);
            finish[i] = start + durations[i];
            best = Math.max(best, finish[i]);
        }
        return best;
    }

    /**
     * A lower bound on the makespan of any schedule on {@code concurrency} slots that is at least
     * max(critical path, work / concurrency) and often higher ("energy" or "head and tail" bounds of
     * scheduling theory, e.g. Fernandez and Bussell, IEEE Trans. Computers C-22(8), 1973, for the idea):
     * a task cannot start before its earliest start {@code r} (longest path of work before it), so all the
     * work of tasks with {@code r >= x} runs in {@code [x, T]}: {@code T >= x + work(r >= x) / c}; and a
     * task is followed by at least its tail {@code q} (longest path of work after it), so all the work of
     * tasks with {@code q >= y} runs in {@code [0, T - y]}: {@code T >= y + work(q >= y) / c}. Rounded up
     * to whole units. O(n log n + edges).
     */
    static long energyBound(long[] durations, int[][] needs, int concurrency) {
        if (concurrency < 1) throw new IllegalArgumentException("concurrency must be at least 1, not " + concurrency);
        int n = durations.length;
        long[] head = new long[n]; // earliest start
        long[] tail = new long[n]; // longest path of work after the task finishes
        List<List<Integer>> dependents = new ArrayList<>(n);
        for (int i = 0; i < n; i++) dependents.add(new ArrayList<>());
        for (int i = 0; i < n; i++) {
            for (int p : needs[i]) {
                head[i] = Math.max(head[i], head[p] + durations[p]);
                dependents.get(p).add(i);
            }
        }
        for (int i = n - 1; i >= 0; i--) {
            for (int d : dependents.get(i)) tail[i] = Math.max(tail[i], tail[d] + durations[d]);
        }
        long total = 0;
        for (long d : durations) total += d;
        long best = Math.max(criticalPath(durations, needs), ceilDiv(total, concurrency));
        best = Math.max(best, sweep(head, durations, concurrency));
        best = Math.max(best, sweep(tail, durations, concurrency));
        return best;
    }

    /** max over thresholds x of x + (work of tasks whose {@code key >= x}) / c, rounded up. */
    private static long sweep(long[] key, long[] durations, int concurrency) {
        Integer[] order = new Integer[key.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> Long.compare(key[b], key[a])); // largest key first
        long best = 0;
        long work = 0;
        for (int k = 0; k < order.length; k++) {
            work += durations[order[k]];
            boolean lastOfKey = k + 1 == order.length || key[order[k + 1]] != key[order[k]];
            if (lastOfKey) best = Math.max(best, key[order[k]] + ceilDiv(work, concurrency));
        }
        return best;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /**
     * Makespan of a zero-overhead greedy list scheduler: whenever a slot is free, start the ready
     * task with the lowest index (plan order), at most {@code concurrency} at once. Same rule as
     * the engine's ready queue for tickets of equal priority.
     */
    static long simulate(long[] durations, int[][] needs, int concurrency) {
        int n = durations.length;
        int[] remaining = new int[n];
        List<List<Integer>> dependents = new ArrayList<>(n);
        for (int i = 0; i < n; i++) dependents.add(new ArrayList<>());
        for (int i = 0; i < n; i++) {
            remaining[i] = needs[i].length;
            for (int p : needs[i]) dependents.get(p).add(i);
        }
        // the engine's order (RunEngine.compareReady): longest path of work behind a ticket first, then plan order
        long[] downstream = new long[n];
        for (int i = n - 1; i >= 0; i--) {
            long longest = 0;
            for (int d : dependents.get(i)) longest = Math.max(longest, downstream[d]);
            downstream[i] = Math.max(1, durations[i]) + longest;
        }
        PriorityQueue<Integer> ready = new PriorityQueue<>((a, b) -> downstream[a] != downstream[b]
                ? Long.compare(downstream[b], downstream[a]) : Integer.compare(a, b));
        for (int i = 0; i < n; i++) if (remaining[i] == 0) ready.add(i);
        PriorityQueue<long[]> running = new PriorityQueue<>((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        long now = 0;
        int done = 0;
        while (done < n) {
            while (!ready.isEmpty() && running.size() < concurrency) {
                int i = ready.poll();
                running.add(new long[]{now + durations[i], i});
            }
            long[] first = running.poll();
            now = first[0];
            List<long[]> finished = new ArrayList<>();
            finished.add(first);
            while (!running.isEmpty() && running.peek()[0] == now) finished.add(running.poll());
            for (long[] f : finished) {
                done++;
                for (int d : dependents.get((int) f[1])) if (--remaining[d] == 0) ready.add(d);
            }
        }
        return now;
    }
}
