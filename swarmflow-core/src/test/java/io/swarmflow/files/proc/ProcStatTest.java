package io.swarmflow.files.proc;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link ProcStat}: fields of {@code /proc/PID/stat} numbered as in proc(5), whatever the command name holds. */
class ProcStatTest {
    /** Fields 3 to 52 of a stat line, with field 22 (start time) {@code 987654} and field 5 (group) {@code 77}. */
    static String after(String command) {
        StringBuilder b = new StringBuilder("4242 (" + command + ")");
        for (int n = 3; n <= 52; n++) b.append(' ').append(n == 3 ? "S" : n == 5 ? "77" : n == 22 ? "987654" : Integer.toString(n));
        return b.append('\n').toString();
    }

    @Test
    void aCommandNameWithSpacesAndParenthesesDoesNotShiftTheFields() {
        for (String command : new String[]{"java", "a b", "x) S 1 2 3 (y", ")", "((", ""}) {
            ProcStat stat = ProcStat.parse(after(command));
            assertThat(stat).as(command).isNotNull();
            assertThat(stat.pid()).isEqualTo(4242);
            assertThat(stat.command()).isEqualTo(command);
            assertThat(stat.field(3)).isEqualTo("S");
            assertThat(stat.field(5)).isEqualTo("77");
            assertThat(stat.startTicks()).as(command).hasValue(987654);
        }
    }

    @Test
    void aLineOfAnotherShapeIsNotParsedAndAShortOneHasNoStart() {
        for (String garbage : new String[]{null, "", "4242", "4242 (java", "4242 java) S", "x (java) S 1", "4242 (java)"}) {
            assertThat(ProcStat.parse(garbage)).as("%s", garbage).isNull();
        }
        ProcStat shortLine = ProcStat.parse("4242 (java) S 1 77");
        assertThat(shortLine.field(5)).isEqualTo("77");
        assertThat(shortLine.field(22)).isNull();
        assertThat(shortLine.startTicks()).isEmpty();
        assertThat(ProcStat.parse(after("java").replace(" 987654 ", " soon ")).startTicks()).isEmpty();
        assertThatThrownBy(() -> shortLine.field(2)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("field 2");
    }

    @Test
    void thisProcessHasAStart() throws Exception {
        ProcStat self = ProcStat.parse(Files.readString(Path.of("/proc/self/stat")));
        assertThat(self).isNotNull();
        assertThat(self.startTicks()).isPresent();
    }
}
