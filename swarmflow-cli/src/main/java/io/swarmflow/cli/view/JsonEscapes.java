package io.swarmflow.cli.view;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * JSON that is safe on a terminal: besides the C0 controls JSON itself escapes, every other character
 * {@link Printable#isControl} names (DEL, the C1 controls such as U+009B, which some terminals read as CSI, the
 * bidirectional overrides and isolates, U+2028 and U+2029) is written as a {@code \}{@code uXXXX} escape, so a ticket's
 * text in {@code swarm status --json} or report.json cannot reorder or drive the terminal it is printed on. The JSON
 * value is the same: a parser reads the escape as the character.
 *
 * <p>Where this JVM writes its standard output in an encoding other than UTF-8 ({@code stdout.encoding}: ASCII in the C
 * or POSIX locale, a JVM started as {@code java -jar} there), every character other than ASCII is written as such an
 * escape too (a character outside the BMP as its two surrogates, {@code \}{@code uD83D\}{@code uDE00}), so JSON printed
 * there is ASCII, the same in every such encoding, and loses nothing (printed as is, it would hold {@code ?} for each
 * character the encoding lacks: JSON is UTF-8, RFC 8259).
 */
public final class JsonEscapes extends CharacterEscapes {
    private static final int[] ASCII = standardAsciiEscapesForJSON();

    static {
        ASCII[0x7f] = ESCAPE_STANDARD;
    }

    /** {@code mapper}, its output escaped this way (all but ASCII too when standard output is not UTF-8); returns it. */
    public static ObjectMapper apply(ObjectMapper mapper) {
        return apply(mapper, System.out.charset());
    }

    /**
     * {@code mapper}, its output escaped this way for printing in {@code printed}: every character other than ASCII
     * escaped too when {@code printed} is not UTF-8; returns it.
     */
    static ObjectMapper apply(ObjectMapper mapper, java.nio.charset.Charset printed) {
        mapper.getFactory().setCharacterEscapes(new JsonEscapes());
        if (!java.nio.charset.StandardCharsets.UTF_8.equals(printed)) {
            mapper.getFactory().configure(com.fasterxml.jackson.core.json.JsonWriteFeature.ESCAPE_NON_ASCII.mappedFeature(), true);
        }
        return mapper;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
        return ASCII;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
        return ch <= 0xffff && Printable.isControl((char) ch)
                ? new SerializedString(String.format(java.util.Locale.ROOT, "\\u%04X", ch)) : null;
    }
}
