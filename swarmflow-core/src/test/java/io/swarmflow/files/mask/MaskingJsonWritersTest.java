package io.swarmflow.files.mask;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A secret printed by the JSON writers themselves, not by hand-written expectations, is masked: Gson, by default and with
 * HTML escaping off (which still escapes U+2028 and U+2029, as {@code \\u2028}), and Jackson, by default and with
 * {@code JsonWriteFeature.ESCAPE_NON_ASCII} (uppercase hex, {@code \\u00E9}, but DEL as it is). Both once went
 * unmasked: the first where a secret held U+2028 with other non-ASCII and {@code <>&}, the second wherever it held
 * characters other than ASCII.
 */
class MaskingJsonWritersTest {
    private static final List<String> SECRETS = List.of(
            "päss\u2028wörd", "a<b>\u2029c&d=e'f", "pä<ss\u2028wo&rd", "s3cr\u00e9t-\ud83d\ude00-x", "ctl\u001b-é\u007f-y", "tab\there\"q\\/",
            "c2VjcmV0IGtleQ==", "plain-secret-42");

    private static Map<String, Function<String, String>> writers() {
        JsonMapper jackson = JsonMapper.builder().build();
        JsonMapper jacksonAscii = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
        Gson gson = new Gson();
        Gson gsonNoHtml = new GsonBuilder().disableHtmlEscaping().create();
        Map<String, Function<String, String>> writers = new LinkedHashMap<>();
        writers.put("Gson", gson::toJson);
        writers.put("Gson, disableHtmlEscaping", gsonNoHtml::toJson);
        writers.put("Jackson", s -> write(jackson, s));
        writers.put("Jackson, ESCAPE_NON_ASCII", s -> write(jacksonAscii, s));
        return writers;
    }

    private static String write(JsonMapper mapper, String value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void everySecretAsEachWriterPrintsItIsMasked() {
        SoftAssertions softly = new SoftAssertions();
        writers().forEach((writer, write) -> {
            for (String secret : SECRETS) {
                String line = "{\"token\":" + write.apply(secret) + ",\"n\":1}";
                softly.assertThat(Masking.mask(line, List.of(secret))).as("%s: %s", writer, line)
                        .isEqualTo("{\"token\":\"***\",\"n\":1}");
            }
        });
        softly.assertAll();
    }

    @Test
    void theWritersPrintWhatTheFormsSay() {
        assertThat(new GsonBuilder().disableHtmlEscaping().create().toJson("a<\u2028é")).isEqualTo("\"a<\\u2028é\"");
        assertThat(write(JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build(), "é\u007f"))
                .isEqualTo("\"\\u00E9\u007f\"");
        assertThat(Masking.jsonForms("a<\u2028é")).contains("a<\\u2028é", "a\\u003c\\u2028é", "a<\\u2028\\u00E9");
    }
}
