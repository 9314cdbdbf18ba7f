package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A launch's environment puts long values (a shell ticket's script, up to 127 KiB) after the short ones, so that the
 * attempt's {@code SWARM_} entries lie in the first 256 KiB that {@link Escapees} reads of a process's environment.
 */
class LaunchEnvironmentTest {
    @Test
    void longValuesComeAfterTheShortOnesAndHomeLast() {
        Map<String, String> granted = new HashMap<>();
        String long1 = "x".repeat(127 * 1024);
        for (int i = 0; i < 20; i++) granted.put("BIG_" + i, long1);
        granted.put("SWARM_SCRIPT", long1);
        granted.put("SWARM_RUN_ID", "r");
        granted.put("SWARM_TICKET_ID", "t");
        granted.put("SWARM_ATTEMPT", "1");
        granted.put("PATH", "/opt/bin:/usr/bin");
        granted.put("HOME", "/not/this");

        Map<String, String> env = Sandbox.environment(granted, "/tmp/home");

        List<String> names = new ArrayList<>(env.keySet());
        assertThat(names.getFirst()).isEqualTo("PATH");
        assertThat(env).containsEntry("PATH", "/opt/bin:/usr/bin").containsEntry("LANG", "C.UTF-8").containsEntry("HOME", "/tmp/home");
        assertThat(names.getLast()).isEqualTo("HOME");
        int lastShort = -1;
        int firstLong = names.size();
        for (int i = 0; i < names.size(); i++) {
            if (env.get(names.get(i)).length() >= Sandbox.LONG_VALUE_CHARS) firstLong = Math.min(firstLong, i);
            else if (!names.get(i).equals("HOME")) lastShort = i;
        }
        assertThat(lastShort).as("every short value before the first long one: %s", names).isLessThan(firstLong);
        assertThat(env).hasSize(granted.size() + 1); // LANG added
    }
}
