package io.swarmflow.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UnitsTest {
    @ParameterizedTest
    @CsvSource({"500ms,500", "90s,90000", "10m,600000", "1h30m,5400000", "2d,172800000", "1m30s250ms,90250", "0,0"})
    void durationsAreSumsOfNumberUnitGroups(String text, long millis) {
        assertThat(Units.durationMillis(text)).isEqualTo(millis);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10x", "30", "1.5h", "h", "", "10 m", " 10m", "10m ", "-5s", "99999999999999999999d"})
    void invalidDurationsAreRejected(String text) {
        assertThatThrownBy(() -> Units.durationMillis(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1000000000h", "36501d", "106752d", "3153600000001ms"})
    void durationsLongerThanAHundredYearsAreRejected(String text) {
        // longer ones overflowed at run time (in nanoseconds: 'executor error: java.lang.ArithmeticException: long overflow')
        assertThatThrownBy(() -> Units.durationMillis(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("duration '" + text + "' is too large (more than 36500d)");
        assertThat(Units.durationMillis("36500d")).isEqualTo(36_500L * 86_400_000L);
    }

    @ParameterizedTest
    @CsvSource({"512,512", "64KiB,65536", "100MiB,104857600", "2GiB,2147483648", "10MB,10000000", "1KB,1000",
            "3GB,3000000000", "4k,4096", "5m,5242880", "1g,1073741824", "7 MiB,7340032"})
    void sizesAreBinaryOrDecimalByUnit(String text, long bytes) {
        assertThat(Units.bytes(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"12x", "1.5GiB", "MiB", "-1", "9999999999999TiB", " 5MiB", "5MiB ", "5\tMiB"})
    void invalidSizesAreRejected(String text) {
        assertThatThrownBy(() -> Units.bytes(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"512|512 bytes", "1100000|1,100,000 bytes", "1048576|1,048,576 bytes (1 MiB)",
            "3072|3,072 bytes (3 KiB)", "1073741824|1,073,741,824 bytes (1 GiB)"})
    void exactSizesShowEveryByteAndAWholeUnit(long bytes, String text) {
        assertThat(Units.exact(bytes)).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"10485760|1048576|10.0 MiB; the limit is 1.0 MiB",
            "1100000|1048576|1,100,000 bytes; the limit is 1,048,576 bytes (1 MiB)",
            "1048577|1048576|1,048,577 bytes; the limit is 1,048,576 bytes (1 MiB)"})
    void sizeAndLimitAreExactWhenRoundingWouldMakeThemLookEqual(long size, long limit, String text) {
        assertThat(Units.sizeAndLimit(size, limit)).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource({"needs,neds,1", "kitten,sitting,3", "abc,abc,0", "'',abc,3", "biuld,build,1", "ab,ba,1", "abcd,badc,2",
            "ca,abc,3"}) // optimal string alignment: no substring is edited twice, so ca -> ac -> abc does not count 2
    void editDistanceCountsEditsWithASwapOfAdjacentLettersAsOne(String a, String b, int distance) {
        assertThat(Names.editDistance(a, b)).isEqualTo(distance);
    }

    /**
     * docs/spec.md names every unit a size may have, and only those: 512B, 2G, 10M and 4K were accepted without being
     * documented (nor in the schema's description). Candidates are the units of sizes in common use, in both cases.
     */
    @org.junit.jupiter.api.Test
    void theSizeUnitsAcceptedAreTheOnesDocumented() throws java.io.IOException {
        String page = java.nio.file.Files.readString(java.nio.file.Path.of("..", "docs", "spec.md"));
        int start = page.indexOf("Sizes are bytes");
        String sentence = page.substring(start, page.indexOf("(decimal).", start)).replace('\n', ' ');
        java.util.Set<String> documented = new java.util.TreeSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("`(?:\\d+ ?)?([A-Za-z]+)`").matcher(sentence);
        while (m.find()) documented.add(m.group(1));
        java.util.Set<String> accepted = new java.util.TreeSet<>();
        for (String unit : java.util.List.of("B", "K", "M", "G", "T", "P", "KiB", "MiB", "GiB", "TiB", "PiB", "KB", "MB", "GB",
                "TB", "PB", "Ki", "Mi", "Gi", "Ti", "KIB", "MIB", "GIB", "kb", "mb", "gb", "kB", "b", "k", "m", "g", "t", "p",
                "kib", "mib", "gib", "byte", "bytes")) {
            try {
                Units.bytes("1" + unit);
                accepted.add(unit);
            } catch (IllegalArgumentException e) {
                // not a unit
            }
        }
        assertThat(documented).isEqualTo(accepted);
    }
}
