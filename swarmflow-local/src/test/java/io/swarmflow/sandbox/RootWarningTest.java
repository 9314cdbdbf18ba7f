package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Without a usable bubblewrap, the one warning of a best-effort ticket says, when swarm runs as root, that the tickets
 * run as root on the host, unconfined: the detection of root decides that sentence (CI runs this as root and as an
 * ordinary user, so both answers are checked against the uid the JDK reports).
 */
class RootWarningTest {
    private static final String AS_ROOT = "swarm runs as root, so these tickets run as root on the host, unconfined";

    @TempDir
    Path tmp;

    /** The warning a best-effort launch without bubblewrap gives through {@code sandbox}. */
    private List<String> warningsOf(java.util.function.Function<java.util.function.Consumer<String>, Sandbox> make)
            throws Exception {
        List<String> warnings = new CopyOnWriteArrayList<>();
        try (Sandbox sandbox = make.apply(warnings::add)) {
            sandbox.start(SandboxSpec.builder(tmp).isolation(Isolation.BEST_EFFORT).build(), List.of("true"), LineListener.NONE)
                    .waitFor();
        }
        return warnings.stream().filter(w -> w.startsWith("bubblewrap is not usable here")).toList();
    }

    @Test
    void rootIsDetectedAsTheEffectiveUidIdReports() throws Exception {
        Process id = new ProcessBuilder("id", "-u").start(); // id -u prints the effective uid (the same in the child)
        long euid = Long.parseLong(new String(id.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim());
        assertThat(id.waitFor()).isZero();
        assertThat(Sandbox.uid()).isEqualTo(euid);
    }

    /** Review D2 F8: the effective uid, not the real one (nor /proc/self's owner, root for a non-dumpable process). */
    @Test
    void theEffectiveUidIsTheSecondFieldOfUid() {
        assertThat(Sandbox.effectiveUid(List.of("Name:\tjava", "Uid:\t1000\t0\t0\t0", "Gid:\t1000\t1000\t1000\t1000")))
                .isZero();
        assertThat(Sandbox.effectiveUid(List.of("Uid:\t0\t1000\t1000\t1000"))).isEqualTo(1000);
        assertThat(Sandbox.effectiveUid(List.of("Name:\tjava"))).isEqualTo(-1);
    }

    @Test
    void theWarningWithoutBubblewrapSaysTicketsRunAsRootExactlyWhenSwarmDoes() throws Exception {
        boolean root = new com.sun.security.auth.module.UnixSystem().getUid() == 0;
        Bubblewrap.Status none = Bubblewrap.Status.unavailable("bwrap not found on PATH");

        List<String> detected = warningsOf(w -> new Sandbox(none, w));
        assertThat(detected).singleElement().satisfies(w -> {
            if (root) assertThat(w).contains(AS_ROOT); else assertThat(w).doesNotContain(AS_ROOT);
        });
        assertThat(warningsOf(w -> new Sandbox(none, w, HardLimits.current(), true))).singleElement().asString().contains(AS_ROOT);
        assertThat(warningsOf(w -> new Sandbox(none, w, HardLimits.current(), false))).singleElement().asString().doesNotContain(AS_ROOT);
    }
}
