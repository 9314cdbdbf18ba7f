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
 */
public final class JsonEscapes extends CharacterEscapes {
    private static final int[] ASCII = standardAsciiEscapesForJSON();

    static {
        ASCII[0x7f] = ESCAPE_STANDARD;
    }

    /** {@code mapper}, its output escaped this way; returns it. */
    public static ObjectMapper apply(ObjectMapper mapper) {
        mapper.getFactory().setCharacterEscapes(new JsonEscapes());
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
