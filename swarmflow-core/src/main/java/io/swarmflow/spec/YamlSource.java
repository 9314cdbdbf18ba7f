package io.swarmflow.spec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.ReaderException;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * The spec file as bytes, text and a YAML node tree. Only SnakeYAML's composer runs: nodes keep
 * their positions and no Java object is ever constructed from the document, so a tag cannot
 * instantiate a class. Aliases, nesting and size are bounded before the tree is built.
 */
final class YamlSource {
    /** Aliases of lists or mappings allowed; enough for real specs, far too few for a "billion laughs". */
    static final int MAX_ALIASES = 50;
    /** Nesting depth of lists and mappings; a spec needs about six. */
    static final int MAX_DEPTH = 32;

    private static final Set<Tag> PLAIN_TAGS = Set.of(Tag.STR, Tag.INT, Tag.BOOL, Tag.FLOAT, Tag.NULL,
            Tag.SEQ, Tag.MAP, Tag.TIMESTAMP, Tag.MERGE);

    private static final String TOO_LARGE_HINT =
            "split it into smaller specs; keep large data in files that tickets read, not in the spec";
    /** Bytes read at a time; the buffer grows with the input, so a small spec needs little memory. */
    private static final int CHUNK = 64 * 1024;

    final byte[] bytes;
    final String text;
    private final Problems problems;

    private YamlSource(byte[] bytes, String text, Problems problems) {
        this.bytes = bytes;
        this.text = text;
        this.problems = problems;
    }

    /** Entries of the missing spec's directory looked at for {@link #nearbySpec}: a huge directory is not listed whole. */
    private static final int NEARBY_ENTRIES = 1000;

    /**
     * A spec file beside {@code missing} that was likely meant, as a path written like it ({@code ap.yaml} for
     * {@code ap.yml}, {@code examples/swarm.yaml} for {@code examples/swarn.yaml}): the same name with the other YAML
     * ending, else the nearest {@code .yaml}/{@code .yml} name among its directory's first {@link #NEARBY_ENTRIES}
     * entries ({@link Names#nearest}); null when there is none or the directory cannot be read.
     */
    static String nearbySpec(Path missing) {
        Path name = missing.getFileName();
        if (name == null) return null;
        String n = name.toString();
        String swapped = n.endsWith(".yml") ? n.substring(0, n.length() - 4) + ".yaml"
                : n.endsWith(".yaml") ? n.substring(0, n.length() - 5) + ".yml" : null;
        if (swapped != null && Files.isRegularFile(missing.resolveSibling(swapped))) return missing.resolveSibling(swapped).toString();
        Path dir = missing.getParent() == null ? Path.of(".") : missing.getParent();
        try (java.util.stream.Stream<Path> entries = Files.list(dir)) {
            List<String> specs = entries.limit(NEARBY_ENTRIES).map(p -> p.getFileName().toString())
                    .filter(f -> f.endsWith(".yaml") || f.endsWith(".yml")).toList();
            String nearest = Names.nearest(n, specs);
            return nearest == null || !Files.isRegularFile(missing.resolveSibling(nearest)) ? null
                    : missing.resolveSibling(nearest).toString();
        } catch (IOException | RuntimeException e) {
            return null; // no directory, or not readable: the plain hint
        }
    }

    /**
     * Reads and checks the file (size, text encoding); null when it cannot be used (problems recorded).
     * A regular file's size is checked before reading; anything else (a pipe, {@code /dev/stdin},
     * {@code /dev/zero}) is read up to {@code maxBytes + 1} bytes, so an endless stream is cut off.
     */
    static YamlSource read(Path file, long maxBytes, Problems problems) {
        byte[] bytes;
        try {
            if (Files.isDirectory(file)) {
                problems.whole("is a directory, not a spec file", "give the path of a .yaml file");
                return null;
            }
            if (Files.isRegularFile(file)) {
                long size = Files.size(file);
                if (size > maxBytes) {
                    problems.whole("spec is " + Units.sizeAndLimit(size, maxBytes), TOO_LARGE_HINT);
                    return null;
                }
            }
            bytes = readAtMost(file, maxBytes + 1);
        } catch (NoSuchFileException e) {
            String near = nearbySpec(file);
            problems.whole("no such file", near != null ? "did you mean " + near + "?" : "check the path");
            return null;
        } catch (IOException e) {
            problems.whole("cannot read the spec: " + e.getMessage(), "check the path and its permissions");
            return null;
        }
        if (bytes.length > maxBytes) {
            // a stream (or a file that grew since its size was read): only the first maxBytes + 1 bytes were read
            problems.whole("spec is larger than the limit of " + Units.exact(maxBytes), TOO_LARGE_HINT);
            return null;
        }
        String bom = utf16or32(bytes);
        if (bom != null) {
            problems.whole("the spec is " + bom, "save it as UTF-8");
            return null;
        }
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                problems.whole("not a text file (NUL byte at offset " + i + ")", "a swarm spec is UTF-8 YAML");
                return null;
            }
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length);
        java.nio.charset.CoderResult result = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(in, out, true);
        if (result.isError()) {
            // where: the line, and the column in characters, of the first byte that is not UTF-8
            String before = out.flip().toString();
            int lineStart = before.lastIndexOf('\n') + 1;
            int line = (int) before.chars().filter(c -> c == '\n').count() + 1;
            problems.at(line, before.codePointCount(lineStart, before.length()) + 1,
                    String.format("not a text file (invalid UTF-8: byte 0x%02X)", bytes[in.position()] & 0xff),
                    "a swarm spec is UTF-8 YAML; save it as UTF-8");
            return null;
        }
        String text = out.flip().toString();
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        return new YamlSource(bytes, text, problems);
    }

    /**
     * The encoding a leading byte-order mark names when it is UTF-16 or UTF-32 (such as "UTF-16 (byte-order mark FF FE)"),
     * else null: such a file would otherwise be called "not a text file" for its NUL bytes. (A UTF-8 one, EF BB BF, is
     * read and dropped.) The marks are those of the Unicode Standard, section 23.8.
     */
    private static String utf16or32(byte[] b) {
        if (b.length >= 4 && b[0] == 0 && b[1] == 0 && (b[2] & 0xff) == 0xFE && (b[3] & 0xff) == 0xFF) {
            return "UTF-32 (byte-order mark 00 00 FE FF)";
        }
        if (b.length >= 2 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xFE) {
            return b.length >= 4 && b[2] == 0 && b[3] == 0 ? "UTF-32 (byte-order mark FF FE 00 00)" : "UTF-16 (byte-order mark FF FE)";
        }
        if (b.length >= 2 && (b[0] & 0xff) == 0xFE && (b[1] & 0xff) == 0xFF) return "UTF-16 (byte-order mark FE FF)";
        return null;
    }

    /** The first {@code limit} bytes of the file (all of it when shorter); never reads past {@code limit}. */
    private static byte[] readAtMost(Path file, long limit) throws IOException {
        int max = (int) Math.min(limit, Integer.MAX_VALUE - 8);
        byte[] buffer = new byte[Math.min(max, CHUNK)];
        int length = 0;
        try (InputStream in = Files.newInputStream(file)) {
            while (length < max) {
                if (length == buffer.length) buffer = Arrays.copyOf(buffer, (int) Math.min(max, 2L * buffer.length));
                int n = in.read(buffer, length, buffer.length - length);
                if (n < 0) break;
                length += n;
            }
        }
        return length == buffer.length ? buffer : Arrays.copyOf(buffer, length);
    }

    /** The document's root node, or null when the YAML is malformed or empty (problems recorded). */
    Node compose() {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setCodePointLimit(Math.max(1024, text.length() + 1));
        options.setAllowDuplicateKeys(false);
        options.setAllowRecursiveKeys(false);
        options.setProcessComments(false);
        // Nothing is ever constructed from a tag; accept them all here so checkTags can report each one.
        options.setTagInspector(tag -> true);
        Node root;
        StreamReader reader = new StreamReader(text);
        try {
            Composer composer = new Composer(new ParserImpl(reader, options), new Resolver(), options);
            root = composer.getSingleNode();
        } catch (MarkedYAMLException e) {
            Mark start = e.getContextMark();
            Mark found = e.getProblemMark();
            if (start != null && found != null && e.getContext() != null && e.getProblem() != null
                    && (start.getLine() != found.getLine() || start.getColumn() != found.getColumn())
                    && unclosed(e.getContext(), e.getProblem(), start, found)) {
                return null; // reported where the construct starts, which is where the missing quote or bracket belongs
            }
            String what = e.getProblem() != null ? e.getProblem() : "invalid YAML";
            if (e.getContext() != null) what = what + " (" + e.getContext() + ")";
            String hint = "check the indentation, quoting and brackets at this spot";
            // the parser's words for the usual mistakes, in the user's
            if (what.contains("(TAB)")) {
                what = "a tab character where YAML expects indentation or a value";
                hint = "indent with spaces only";
            } else if (what.startsWith("expected <block end>") && what.contains("but found '-'")) {
                what = "a list item ('- ') among 'key: value' lines";
                hint = "put the list under a key and indent its items (key:, then   - item on the lines below), "
                        + "or write this line as key: value";
            } else if (what.startsWith("expected <block end>")) {
                what = "this line is indented differently from the lines above it";
                hint = "indent it exactly as far as the keys or list items it belongs with";
            } else if (e.getProblem() != null && e.getProblem().startsWith("found undefined alias")) {
                String name = e.getProblem().substring("found undefined alias".length()).strip();
                what = "'*" + name + "' refers to an anchor '&" + name + "' that is not defined above it";
                hint = "define &" + name + " before this line, or quote the value if it is text that starts with '*'";
            } else if (what.startsWith("mapping values are not allowed here")) {
                what = "a ':' that YAML cannot read as a key here";
                hint = "quote a value holding ': ' (or write a script as run: | on the lines below), "
                        + "and indent a key as far as the keys beside it";
            }
            problems.at(e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark(), "YAML syntax error: " + what, hint);
            return null;
        } catch (ReaderException e) {
            Mark mark = markAtCodePoint(e.getPosition());
            problems.at(mark, "character U+" + String.format("%04X", e.getCodePoint()) + " is not allowed in YAML",
                    "remove it or quote it as an escape sequence");
            return null;
        } catch (YAMLException e) {
            String msg = String.valueOf(e.getMessage());
            if (msg.contains("aliases")) {
                problems.at(passingLimit(options, false), "too many YAML aliases (more than " + MAX_ALIASES + " aliases of lists or mappings)",
                        "write the repeated parts out or use defaults:; alias bombs are rejected");
            } else if (msg.contains("Nesting Depth")) {
                problems.at(passingLimit(options, true), "YAML nested deeper than " + MAX_DEPTH + " levels",
                        "a swarm spec needs only a few levels of nesting");
            } else if (msg.contains("code point")) {
                problems.whole("spec is too large", TOO_LARGE_HINT);
            } else {
                problems.whole("invalid YAML: " + msg, "check the file's syntax");
            }
            return null;
        } catch (StackOverflowError e) {
            problems.whole("YAML nested too deeply", "a swarm spec needs only a few levels of nesting");
            return null;
        } catch (RuntimeException e) {
            // SnakeYAML lets a few exceptions of its own through, such as NumberFormatException for "\x at the end of the
            // file; where it was reading is where the problem is
            if (e instanceof NumberFormatException) { // the hexadecimal digits were cut short: only the end of the file does that
                problems.at(reader.getMark(), "YAML syntax error: the file ends inside an escape sequence of a quoted string",
                        "complete the escape sequence (such as \\x41 or \\u0041) and close the quote");
            } else {
                problems.at(reader.getMark(), "YAML syntax error: cannot read the text here", "check quoting and escape sequences here");
            }
            return null;
        }
        if (root == null) {
            problems.whole("spec is empty", "a spec needs at least a 'tickets:' list");
            return null;
        }
        // A tagged document is not read further: its meaning is whatever the tag intended, not ours.
        return checkTags(root, Collections.newSetFromMap(new IdentityHashMap<>())) ? root : null;
    }

    /**
     * Where the document passes {@link #MAX_DEPTH} ({@code depth}) or {@link #MAX_ALIASES}: the composer's exception
     * carries no position, so the events are read again (no tree is built) up to the list, mapping or alias that passes
     * it. Null (a whole-file error) when it cannot be found.
     */
    private Mark passingLimit(LoaderOptions options, boolean depth) {
        try {
            ParserImpl parser = new ParserImpl(new StreamReader(text), options);
            Set<String> collectionAnchors = new java.util.HashSet<>();
            int level = 0;
            int aliases = 0;
            while (parser.peekEvent() != null && !parser.checkEvent(org.yaml.snakeyaml.events.Event.ID.StreamEnd)) {
                org.yaml.snakeyaml.events.Event event = parser.getEvent();
                if (event instanceof org.yaml.snakeyaml.events.CollectionStartEvent start) {
                    if (start.getAnchor() != null) collectionAnchors.add(start.getAnchor());
                    if (depth && ++level > MAX_DEPTH) return event.getStartMark();
                } else if (event instanceof org.yaml.snakeyaml.events.CollectionEndEvent) {
                    level--;
                } else if (!depth && event instanceof org.yaml.snakeyaml.events.AliasEvent alias
                        && collectionAnchors.contains(alias.getAnchor()) && ++aliases > MAX_ALIASES) {
                    return event.getStartMark();
                }
            }
        } catch (RuntimeException | StackOverflowError e) {
            // the position is a convenience: without it the error concerns the whole file
        }
        return null;
    }

    /**
     * Reports a quoted string, {@code [list]} or {@code {mapping}} that is not closed where SnakeYAML noticed it (the
     * end of the file, or a token that cannot continue it) at where it starts.
     *
     * @return false when the error is of another kind (nothing reported)
     */
    private boolean unclosed(String context, String problem, Mark start, Mark found) {
        boolean atEnd = problem.contains("end of stream") || problem.contains("<stream end>");
        String token = problem.replaceFirst("^.*but (got|found) ", "");
        String where = atEnd ? "the file ends inside it" : "found " + (token.startsWith("'") ? token : "'" + token + "'") + " at "
                + (found.getLine() + 1) + ":" + (found.getColumn() + 1);
        boolean flow = context.contains("flow sequence") || context.contains("flow mapping");
        if (flow && !atEnd && found.getIndex() > 0 && text.startsWith("${{", charOffset(found.getIndex() - 1))) {
            // a plain value cannot hold '{' inside [ ] or { }: the reference ends the value, which is not a missing bracket
            if (context.contains("flow mapping")) {
                problems.at(found.getLine() + 1, found.getColumn(), "YAML syntax error: a reference ${{ ... }} inside { } must be in quotes",
                        "write the value in quotes, such as {KEY: \"${{ vars.NAME }}\"}, or write one 'key: value' per line");
            } else {
                // the only lists are needs and matrix values, which are used as written: quoting would only move the error
                String key = listKey(start);
                String hint = "references do not work in lists (needs and matrix values are used as written): write the items themselves";
                if ("needs".equals(key)) {
                    // build-${{ matrix.os }}, meant as "the build of my os": the text before the reference is the id to write
                    int dollar = charOffset(found.getIndex() - 1);
                    int i = dollar;
                    while (i > 0 && "[,\n".indexOf(text.charAt(i - 1)) < 0) i--;
                    String written = text.substring(i, dollar).strip();
                    String meant = written.replaceAll("[-_]+$", "");
                    hint = "needs take ticket ids as written, and a matrix ticket's id stands for all of its expansions: write "
                            + (SpecLoader.ID.matcher(meant).matches() ? meant + ", not " + written + "${{ ... }}" : "the ids themselves");
                }
                problems.at(found.getLine() + 1, found.getColumn(), "YAML syntax error: a reference ${{ ... }} cannot be an item of a list"
                                + (key != null ? " ('" + key + "')" : ""), hint);
            }
            return true;
        }
        if (context.contains("quoted scalar") && atEnd) {
            problems.at(start, "YAML syntax error: the quoted string that starts here is never closed (" + where + ")",
                    "add the closing quote where the string should end (inside single quotes, write a quote as '')");
        } else if (context.contains("flow sequence") && (atEnd || problem.startsWith("expected ',' or ']'"))) {
            problems.at(start, "YAML syntax error: the list '[' that starts here is not closed (" + where + ")",
                    "add the closing ']' after the last item, separate items with ',' (or write the list one '- item' per line)");
        } else if (context.contains("flow mapping") && (atEnd || problem.startsWith("expected ',' or '}'"))) {
            problems.at(start, "YAML syntax error: the mapping '{' that starts here is not closed (" + where + ")",
                    "add the closing '}' after the last entry, separate entries with ',' (or write one 'key: value' per line)");
        } else {
            return false;
        }
        return true;
    }

    /**
     * The key whose value is the list whose {@code [} is at {@code start}: {@code os} in {@code os: [linux]}, also with
     * the {@code [} on a line of its own below the key, or as an item of a block list ({@code needs:} then
     * {@code - [a, b]}); null when the list is an item of another {@code [ ]} list or a key, or the key is not a short
     * name. The events are read again up to that {@code [} (the document does not parse past it).
     */
    private String listKey(Mark start) {
        final class Level {
            final boolean mapping;
            final boolean flowList;
            boolean keyNext = true;
            String key;

            Level(boolean mapping, boolean flowList) {
                this.mapping = mapping;
                this.flowList = flowList;
            }
        }
        java.util.ArrayDeque<Level> levels = new java.util.ArrayDeque<>();
        try {
            ParserImpl parser = new ParserImpl(new StreamReader(text), new LoaderOptions());
            while (parser.peekEvent() != null && parser.peekEvent().getStartMark().getIndex() <= start.getIndex()) {
                org.yaml.snakeyaml.events.Event event = parser.getEvent();
                if (event instanceof org.yaml.snakeyaml.events.CollectionEndEvent) {
                    levels.pop();
                    continue;
                }
                if (!(event instanceof org.yaml.snakeyaml.events.NodeEvent)) continue;
                Level parent = levels.peek();
                boolean isKey = parent != null && parent.mapping && parent.keyNext;
                if (parent != null && parent.mapping) parent.keyNext = !parent.keyNext;
                if (event instanceof org.yaml.snakeyaml.events.SequenceStartEvent seq
                        && seq.getStartMark().getIndex() == start.getIndex()) {
                    if (isKey) return null;
                    for (Level level : levels) {
                        if (level.flowList) return null;
                        if (level.mapping) return level.key != null && level.key.matches("[A-Za-z0-9_.-]{1,64}") ? level.key : null;
                    }
                    return null;
                }
                if (isKey) parent.key = event instanceof org.yaml.snakeyaml.events.ScalarEvent scalar ? scalar.getValue() : null;
                if (event instanceof org.yaml.snakeyaml.events.SequenceStartEvent seq) {
                    levels.push(new Level(false, seq.isFlow()));
                } else if (event instanceof org.yaml.snakeyaml.events.MappingStartEvent) {
                    levels.push(new Level(true, false));
                }
            }
        } catch (RuntimeException | StackOverflowError e) {
            // the key is a convenience: the error stands without it
        }
        return null;
    }

    /**
     * Reports explicit tags beyond plain YAML (e.g. {@code !!python/object}, {@code !foo}), and strings holding a NUL
     * character; visits shared nodes once. False when a tag was found.
     */
    private boolean checkTags(Node node, Set<Node> seen) {
        if (!seen.add(node)) return true;
        if (node instanceof ScalarNode s && s.getValue().indexOf('\0') >= 0) {
            // only an escape (\0, \x00, \u0000) writes one: the file's bytes hold no NUL
            problems.at(node, "a NUL character (written \\0, \\x00 or \\u0000) cannot be passed to a process, "
                            + "in a script, an argument or the environment",
                    "remove it; write it with printf '\\0' in the script if it needs one");
        }
        boolean plain = PLAIN_TAGS.contains(node.getTag());
        if (!plain) {
            problems.at(node, "YAML tag '" + shortTag(node.getTag()) + "' is not allowed",
                    "swarm specs use plain strings, numbers, booleans, lists and mappings; remove the tag");
        }
        if (node instanceof SequenceNode seq) {
            for (Node child : seq.getValue()) plain &= checkTags(child, seen);
        } else if (node instanceof MappingNode map) {
            for (NodeTuple t : map.getValue()) {
                plain &= checkTags(t.getKeyNode(), seen);
                plain &= checkTags(t.getValueNode(), seen);
            }
        }
        return plain;
    }

    private static String shortTag(Tag tag) {
        String v = tag.getValue();
        return v.startsWith(Tag.PREFIX) ? "!!" + v.substring(Tag.PREFIX.length()) : v;
    }

    /**
     * Where the {@code index}-th {@code ${{ }}} reference of a scalar's value sits in the file. Falls
     * back to the scalar's start when the raw text and the value disagree (escape sequences).
     */
    Mark referenceMark(ScalarNode node, int index, int expectedCount) {
        return nthMatchMark(node, Templates.REFERENCE, index, expectedCount);
    }

    /**
     * Where the {@code index}-th unescaped {@code ${{} of a scalar's value sits in the file (for a reference
     * that is not complete), with the same fallback as {@link #referenceMark}.
     */
    Mark openingMark(ScalarNode node, int index, int expectedCount) {
        return nthMatchMark(node, Templates.OPENING, index, expectedCount);
    }

    private Mark nthMatchMark(ScalarNode node, java.util.regex.Pattern pattern, int index, int expectedCount) {
        Mark start = node.getStartMark();
        if (start == null || node.getEndMark() == null) return start;
        // every match of the scalar at once, kept: a text with thousands of references (or rendered once per matrix
        // expansion) would otherwise be scanned again for each
        List<Mark> marks = (pattern == Templates.REFERENCE ? referenceMarks : openingMarks).computeIfAbsent(node, n -> matchMarks(n, pattern));
        if (marks.size() != expectedCount || index < 0 || index >= marks.size()) return start;
        return marks.get(index);
    }

    private final java.util.Map<ScalarNode, List<Mark>> referenceMarks = new IdentityHashMap<>();
    private final java.util.Map<ScalarNode, List<Mark>> openingMarks = new IdentityHashMap<>();
    /** Character offset of each code point of {@link #text} (SnakeYAML's marks count code points); null while they agree. */
    private int[] charOffsets;
    private boolean charOffsetsKnown;

    private int charOffset(int codePointIndex) {
        if (!charOffsetsKnown) {
            charOffsetsKnown = true;
            int count = text.codePointCount(0, text.length());
            if (count != text.length()) {
                charOffsets = new int[count + 1];
                for (int i = 0, cp = 0; i < text.length(); i += Character.charCount(text.codePointAt(i))) charOffsets[cp++] = i;
                charOffsets[count] = text.length();
            }
        }
        int clamped = Math.max(0, Math.min(codePointIndex, charOffsets == null ? text.length() : charOffsets.length - 1));
        return charOffsets == null ? clamped : charOffsets[clamped];
    }

    /** Where each match of {@code pattern} in the scalar's raw text starts, in one pass over it. */
    private List<Mark> matchMarks(ScalarNode node, java.util.regex.Pattern pattern) {
        Mark start = node.getStartMark();
        int from = charOffset(start.getIndex());
        int to = charOffset(node.getEndMark().getIndex());
        Matcher m = pattern.matcher(text).region(from, to);
        List<Mark> marks = new java.util.ArrayList<>();
        int line = start.getLine();
        int column = start.getColumn();
        int i = from;
        while (m.find()) {
            while (i < m.start()) {
                int cp = text.codePointAt(i);
                int len = Character.charCount(cp);
                if (cp == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    len = 2;
                    line++;
                    column = 0;
                } else if (cp == '\n' || cp == '\r' || cp == 0x85 || cp == 0x2028 || cp == 0x2029) {
                    line++;
                    column = 0;
                } else {
                    column++;
                }
                i += len;
            }
            marks.add(new Mark("spec", 0, line, column, new int[0], 0));
        }
        return marks;
    }

    private Mark markAtCodePoint(int position) {
        int line = 0;
        int column = 0;
        int cpIndex = 0;
        for (int i = 0; i < text.length() && cpIndex < position; cpIndex++) {
            int cp = text.codePointAt(i);
            if (cp == '\n') {
                line++;
                column = 0;
            } else {
                column++;
            }
            i += Character.charCount(cp);
        }
        return new Mark("spec", position, line, column, new int[0], 0);
    }
}
