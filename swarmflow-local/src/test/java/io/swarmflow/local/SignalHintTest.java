package io.swarmflow.local;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SignalHintTest {
    @Test
    void namesSignalsBehindShellExitCodesAbove128() {
        assertThat(LocalExecutor.signalHint(141)).contains("SIGPIPE", "| head");
        assertThat(LocalExecutor.signalHint(153)).contains("file-size limit");
        assertThat(LocalExecutor.signalHint(1)).isEmpty();
        assertThat(LocalExecutor.signalHint(null)).isEmpty();
    }
}
