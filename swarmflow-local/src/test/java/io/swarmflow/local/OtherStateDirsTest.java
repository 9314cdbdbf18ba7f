package io.swarmflow.local;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class OtherStateDirsTest {
    @TempDir
    Path tmp;

    @Test
    void findsStateDirectoriesAnywhereButInGitAndThroughLinksAndNotTheRunsOwn() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        Path own = Files.createDirectories(repo.resolve(".swarm/runs"));
        Path nested = Files.createDirectories(repo.resolve("a/b/.swarm"));
        Files.writeString(nested.resolve("swarm.db"), "");
        Files.createDirectories(repo.resolve("c/.swarm/runs"));
        Files.createDirectories(repo.resolve("d/.swarm")); // neither swarm.db nor runs/: not a state directory
        Files.createDirectories(repo.resolve(".git/x/.swarm/runs"));
        Path outside = Files.createDirectories(tmp.resolve("outside/.swarm/runs")).getParent();
        Files.createSymbolicLink(repo.resolve("link"), outside);

        OtherStateDirs.Result found = OtherStateDirs.find(repo, own.getParent(), 1000);

        assertThat(found.dirs()).containsExactlyInAnyOrder(nested, repo.resolve("c/.swarm"));
        assertThat(found.complete()).isTrue();
    }

    @Test
    void aWalkThatReachesItsLimitSaysSo() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo/a/b/c"));

        assertThat(OtherStateDirs.find(tmp.resolve("repo"), null, 2).complete()).isFalse();
        assertThat(OtherStateDirs.find(tmp.resolve("repo"), null, 10).complete()).isTrue();
        assertThat(repo).isDirectory();
    }
}
