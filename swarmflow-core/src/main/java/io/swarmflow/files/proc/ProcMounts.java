package io.swarmflow.files.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How {@code /proc} is mounted for this process, from {@code /proc/self/mountinfo} (proc(5)). Shared by the engine's
 * coordinator identities ({@code io.swarmflow.engine.Owners}) and the sandbox's process groups
 * ({@code io.swarmflow.sandbox.ProcessGroups}), which both take a process {@code /proc} does not show for gone only where it
 * hides none.
 */
public final class ProcMounts {
    private ProcMounts() {}

    /**
     * Whether {@code /proc} is mounted with {@code hidepid=} other than 0 ({@code 1}, {@code 2}, {@code 4},
     * {@code noaccess}, {@code invisible}, {@code ptraceable}; see proc(5)), by the {@code /proc} line of
     * {@code /proc/self/mountinfo}: it then hides other users' processes (or their files) from this one. Read once.
     */
    public static final boolean HIDES_PIDS = hidesPids(Path.of("/proc/self/mountinfo"));

    /** {@link #HIDES_PIDS} from the mountinfo file {@code mountinfo}; false when it cannot be read. */
    public static boolean hidesPids(Path mountinfo) {
        try {
            return hidesPids(Files.readAllLines(mountinfo, java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * {@link #HIDES_PIDS} from the lines of a mountinfo ({@code ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ... -
     * FSTYPE SOURCE SUPEROPTIONS}, proc(5)): the last mount on {@code /proc} of type {@code proc} has {@code hidepid=}
     * other than {@code 0} in its super options.
     */
    public static boolean hidesPids(List<String> mountinfo) {
        boolean hides = false;
        for (String line : mountinfo) {
            String[] f = line.split(" ");
            int dash = java.util.Arrays.asList(f).indexOf("-");
            if (f.length < 5 || dash < 0 || dash + 3 >= f.length || !f[4].equals("/proc") || !f[dash + 1].equals("proc")) continue;
            hides = false; // a later mount on /proc covers an earlier one
            for (String option : f[dash + 3].split(",")) {
                if (option.startsWith("hidepid=") && !option.equals("hidepid=0") && !option.equals("hidepid=off")) hides = true;
            }
        }
        return hides;
    }
}
