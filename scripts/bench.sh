#!/usr/bin/env bash
# Builds the benchmarks and runs one of them (or all): scripts/bench.sh [B1Throughput|B2Dag|B3Process|Bench] [-Dprop=value ...]
# JVM flags: those of ./swarm (SWARM_JVM_FLAGS in scripts/find-jdk.sh), then SWARM_JAVA_OPTS, then yours.
# Results are printed and appended to bench-results.md in the current directory (-Dbench.out=FILE to change).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/scripts/find-jdk.sh"
swarm_find_jdk
main="${1:-Bench}"; shift || true
( cd "$root" && ./mvnw -q -B -pl swarmflow-bench -am package -DskipTests ${MVN_OFFLINE:+-o} )
cp="$root/swarmflow-bench/target/swarmflow-bench.jar:$(cat "$root/swarmflow-bench/target/classpath.txt")"
# the swarm command's JVM flags (scripts/find-jdk.sh), a fixed heap against GC noise, then yours
# shellcheck disable=SC2086 # SWARM_JAVA_OPTS holds several flags
exec "$JAVA_HOME/bin/java" "${SWARM_JVM_FLAGS[@]}" -Xms1g -Xmx4g ${SWARM_JAVA_OPTS:-} "$@" -cp "$cp" "io.swarmflow.bench.$main"
