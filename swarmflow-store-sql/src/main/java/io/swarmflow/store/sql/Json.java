package io.swarmflow.store.sql;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.swarmflow.store.RunEvent;

import java.util.HashMap;
import java.util.Map;

/** The store's JSON: events (with their {@code type} property) and ticket outputs. Thread-safe. */
final class Json {
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
            .build();
    private static final ObjectWriter EVENT_WRITER = MAPPER.writerFor(RunEvent.class);
    private static final ObjectReader EVENT_READER = MAPPER.readerFor(RunEvent.class);
    private static final ObjectReader EVENTS_READER = MAPPER.readerFor(new TypeReference<java.util.List<RunEvent>>() {});
    private static final ObjectReader OUTPUTS_READER = MAPPER.readerFor(new TypeReference<Map<String, String>>() {});
    private static final Map<Class<?>, String> TYPE_NAMES = new HashMap<>();

    static {
        for (JsonSubTypes.Type t : RunEvent.class.getAnnotation(JsonSubTypes.class).value()) {
            TYPE_NAMES.put(t.value(), t.name());
        }
    }

    private Json() {}

    /** The JSON type name of an event ({@code attempt-started}). */
    static String typeName(RunEvent e) {
        return TYPE_NAMES.get(e.getClass());
    }

    static String write(RunEvent e) {
        try {
            return EVENT_WRITER.writeValueAsString(e);
        } catch (JsonProcessingException ex) {
            throw new IllegalArgumentException("cannot serialize event " + e + ": " + ex.getOriginalMessage(), ex);
        }
    }

    static RunEvent readEvent(String json) throws JsonProcessingException {
        return EVENT_READER.readValue(json);
    }

    /** A stored batch: a JSON array of events. */
    static java.util.List<RunEvent> readEvents(String jsonArray) throws JsonProcessingException {
        return EVENTS_READER.readValue(jsonArray);
    }

    static String writeOutputs(Map<String, String> outputs) {
        if (outputs.isEmpty()) return null;
        try {
            return MAPPER.writeValueAsString(outputs);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    static Map<String, String> readOutputs(String json) throws JsonProcessingException {
        if (json == null) return Map.of();
        return OUTPUTS_READER.readValue(json);
    }
}
