package io.swarmflow.cli;

import io.swarmflow.engine.RunListener;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's listener in {@code swarm run} passes each output line on to the progress view with both flags as the engine
 * told them: whether it continues the line before, and whether the next may continue it (plain output prints a line
 * ended by LF at once, and holds one a lone CR ended).
 */
class RunCommandsToViewTest {
    @Test
    void bothFlagsOfAnOutputLineReachTheView() {
        List<String> heard = new ArrayList<>();
        RunCommands.ToView toView = new RunCommands.ToView();
        toView.view = new RunListener() {
            @Override
            public void onLogLine(String ticketId, int attempt, String stream, String line, boolean afterLoneCr, boolean mayBeContinued) {
                heard.add(ticketId + "/" + attempt + " " + stream + ":" + (afterLoneCr ? "+" : "") + line + (mayBeContinued ? "~" : ""));
            }
        };
        toView.onLogLine("t", 2, "stdout", "compiling", false, false);
        toView.onLogLine("t", 2, "stderr", "10%", false, true);
        toView.onLogLine("t", 2, "stderr", "100%", true, false);
        assertThat(heard).containsExactly("t/2 stdout:compiling", "t/2 stderr:10%~", "t/2 stderr:+100%");
    }

    /** That the log cap cut a stream's log file reaches the view too, in order with the lines. */
    @Test
    void theLogCapReachesTheView() {
        List<String> heard = new ArrayList<>();
        RunCommands.ToView toView = new RunCommands.ToView();
        toView.view = new RunListener() {
            @Override
            public void onLogLine(String ticketId, int attempt, String stream, String line, boolean afterLoneCr, boolean mayBeContinued) {
                heard.add(stream + ":" + line);
            }

            @Override
            public void onLogCapped(String ticketId, int attempt, String stream) {
                heard.add(ticketId + "/" + attempt + " " + stream + " capped");
            }
        };
        toView.onLogLine("t", 2, "stdout", "a", false, false);
        toView.onLogCapped("t", 2, "stdout");
        toView.onLogLine("t", 2, "stdout", "b", false, false);
        assertThat(heard).containsExactly("stdout:a", "t/2 stdout capped", "stdout:b");
    }
}
