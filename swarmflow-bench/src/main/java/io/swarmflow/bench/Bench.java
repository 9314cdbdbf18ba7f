package io.swarmflow.bench;

/** Runs B1, B2 and B3 in turn, each in this JVM; every one prints its table and appends it to bench-results.md. */
public final class Bench {
    private Bench() {}

    public static void main(String[] args) throws Exception {
        B1Throughput.main(new String[0]);
        B2Dag.main(args);
        B3Process.main(new String[0]);
    }
}
