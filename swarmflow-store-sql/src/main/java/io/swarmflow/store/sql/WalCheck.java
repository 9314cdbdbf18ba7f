package io.swarmflow.store.sql;

import io.swarmflow.store.StoreException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Checks a SQLite write-ahead log ({@code swarm.db-wal}) before SQLite opens its database, by the documented format
 * (https://www.sqlite.org/walformat.html, https://www.sqlite.org/fileformat2.html#walformat): SQLite's recovery uses
 * only the log's frames up to the first one whose salts or cumulative checksum do not match, and silently drops the
 * rest. That is right for what a crash or a power loss leaves: a torn tail. A commit with {@code synchronous=FULL}
 * waits for the log to be synced, so a power loss can tear only what was written after the last such commit: the
 * transaction being written, and any number of transactions committed with {@code synchronous=NORMAL} without a sync
 * (the store commits those of nothing but process-start records so, {@link SqlRunStore}; they may be lost on power
 * loss, https://sqlite.org/pragma.html#pragma_synchronous). The disk may have written any part of those frames: some
 * whole, some in part, some not at all, stale frames of an earlier log in between. But a log damaged in the middle
 * would lose transactions committed after the damage, and the first connection's checkpoint would then fold the older
 * state into the database and delete the log.
 * <p>
 * So a log is refused, naming its first broken frame, before anything is opened, written or checkpointed, when after
 * that frame's own transaction (which ends at the first commit frame with the log's salts from it on) a whole
 * transaction follows: every frame of it, up to and including its commit frame, carries the log's salts and its
 * checksum continues the one stored in the frame before it, as SQLite wrote it (an acknowledged commit that SQLite
 * would drop). Likewise a log whose header is broken while commit frames with its salts follow. A torn tail, broken
 * frames after the last intact commit with no whole transaction after them, is left to SQLite's recovery, which opens
 * the database with the transactions committed before it. A torn tail in which the disk wrote a later unsynced
 * transaction whole but an earlier one not cannot be told from damage and is refused: the message's way out (cut the
 * log at the broken frame) keeps what SQLite would keep.
 * <p>
 * Cost: one sequential read of the log at every open (the whole log up to the first broken frame, then only the frame
 * headers after it), twice when it finds damage. The log is not shrunk after a checkpoint (no {@code journal_size_limit}):
 * it is about as large as the most written between two checkpoints ({@link SqliteDialect#WAL_AUTOCHECKPOINT_PAGES} pages
 * plus one transaction, more while a long read holds checkpoints back), and SQLite deletes it when the last connection
 * closes cleanly.
 */
final class WalCheck {
    private static final int HEADER_BYTES = 32;
    private static final int FRAME_HEADER_BYTES = 24;
    private static final int MAGIC_LITTLE_ENDIAN = 0x377f0682;
    private static final int MAGIC_BIG_ENDIAN = 0x377f0683;
    /** How often the log is read again when its header changed during a read (a writer restarted it meanwhile). */
    private static final int TRIES = 3;

    private WalCheck() {
    }

    /**
     * What is wrong with a log, or null when SQLite's recovery loses nothing that was acknowledged.
     *
     * @param frame       the first broken frame, 1-based; 0 for the header
     * @param frames      the log's whole frames
     * @param offset      the byte offset of that frame (0 for the header)
     * @param what        what is wrong with it
     * @param lostCommits the whole committed transactions after the broken one's own (the class says which are whole);
     *                    for a broken header, the commit frames with the log's salts
     * @param intactFrames the frames before it, which SQLite would use
     */
    record Damage(long frame, long frames, long offset, String what, long lostCommits, long intactFrames) {}

    /**
     * Refuses the database {@code db} when its write-ahead log is damaged as the class says; returns when the log is
     * missing, empty, shorter than its header, or intact but for a torn tail, what a crash or power loss leaves.
     *
     * @param stateDir the state directory, named in the way out
     * @param db       the database file ({@code swarm.db}); its log is {@code swarm.db-wal} beside it
     * @throws StoreException.Corrupt naming the log, the frame and its byte offset, that nothing was changed, and the
     *                                way out (restore from a backup, or keep a copy and cut the log at that offset)
     * @throws IOException            when the log cannot be read
     */
    static void refuseDamagedLog(Path stateDir, Path db) throws IOException {
        Path wal = db.resolveSibling(db.getFileName() + "-wal");
        Damage d;
        try {
            d = check(wal, dbPageSize(db));
        } catch (NoSuchFileException e) {
            return;
        }
        if (d == null) return;
        String w = wal.toString();
        String where = (d.frame() == 0 ? "its header (the first 32 bytes) " + d.what()
                : "frame " + d.frame() + " of " + d.frames() + " (byte offset " + d.offset() + ") " + d.what())
                + ", yet " + d.lostCommits() + (d.lostCommits() == 1 ? " transaction" : " transactions") + " committed after "
                + (d.frame() == 0 ? "it" : "the one holding it") + (d.lostCommits() == 1 ? " follows" : " follow");
        throw new StoreException.Corrupt("the write-ahead log " + w + " of the database " + db + " is damaged: " + where
                + "; SQLite would silently drop " + (d.frame() == 0 ? "the whole log" : "that frame and all after it")
                + ", losing writes that were recorded (a resume would run again tickets whose success was recorded), so the "
                + "database is not opened. Nothing was changed: no file was written, nothing checkpointed. With no swarm process "
                + "using " + stateDir + ", restore " + db + " together with " + db.getFileName() + "-wal from a backup; or, to accept "
                + "losing what the log holds from " + (d.frame() == 0 ? "its start" : "that frame") + " on, keep a copy and cut it "
                + "there: `cp -p " + w + " " + w + ".damaged && truncate -s " + d.offset() + " " + w + "`"
                + (d.frame() == 0 ? "" : " (SQLite then keeps the transactions committed in the " + d.intactFrames() + " frames before it)")
                + ", and run the command again", null);
    }

    /** The page size in {@code db}'s header (bytes 16-17, 1 meaning 65536), or 0 when it cannot be read. */
    private static int dbPageSize(Path db) {
        try (FileChannel ch = FileChannel.open(db, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(2);
            if (ch.read(b, 16) != 2) return 0;
            int size = Short.toUnsignedInt(b.getShort(0));
            size = size == 1 ? 65_536 : size;
            return validPageSize(size) ? size : 0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static boolean validPageSize(long size) {
        return size >= 512 && size <= 65_536 && Long.bitCount(size) == 1;
    }

    /**
     * Reads {@code wal} and says what is wrong: damage is reported only when a second read finds the same first broken
     * frame (a live coordinator may write frames while the log is read), and the log is read again when a writer
     * restarted it meanwhile (its header changed), at most {@link #TRIES} + 1 times; a log that never reads the same
     * twice is taken for one being written, not damaged.
     *
     * @param dbPageSize the database's page size, used where the log's header does not give a valid one; 0 if unknown
     * @return null when SQLite's recovery would lose no committed transaction but those of a torn tail
     */
    static Damage check(Path wal, int dbPageSize) throws IOException {
        Damage previous = null;
        for (int i = 0; i < TRIES + 1; i++) {
            if (i > 0) betweenPasses.run();
            try (FileChannel ch = FileChannel.open(wal, StandardOpenOption.READ)) {
                ByteBuffer before = header(ch);
                if (before == null) return null;
                Damage d = check(ch, before, dbPageSize);
                if (d == null) return null;
                ByteBuffer after = header(ch);
                if (!before.equals(after)) {
                    previous = null; // a writer restarted the log meanwhile
                    continue;
                }
                // a live coordinator writing frames behind the read (over a restarted log's old frames) can make one
                // pass see commits after a frame it read before it was written: damage is what two passes in a row see
                if (previous != null && previous.frame() == d.frame() && previous.offset() == d.offset()) return d;
                previous = d;
            }
        }
        return null; // the log kept changing under the reads: written by a live coordinator, not damaged at rest
    }

    /** Runs between two reads of the log; a test's stand-in changes the log there. */
    static volatile Runnable betweenPasses = () -> {};

    private static ByteBuffer header(FileChannel ch) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES);
        while (h.hasRemaining()) if (ch.read(h, h.position()) < 0) return null;
        return h.flip();
    }

    private static Damage check(FileChannel ch, ByteBuffer header, int dbPageSize) throws IOException {
        int magic = header.getInt(0);
        boolean magicOk = magic == MAGIC_LITTLE_ENDIAN || magic == MAGIC_BIG_ENDIAN;
        ByteOrder order = magic == MAGIC_BIG_ENDIAN ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        long walPageSize = Integer.toUnsignedLong(header.getInt(8));
        long pageSize = validPageSize(walPageSize) ? walPageSize : dbPageSize;
        if (pageSize == 0) return null; // frames cannot be found: SQLite ignores such a log, and says nothing is lost
        int salt1 = header.getInt(16);
        int salt2 = header.getInt(20);
        long frameBytes = FRAME_HEADER_BYTES + pageSize;
        long size = ch.size();
        long frames = (size - HEADER_BYTES) / frameBytes;
        int[] sum = new int[2];
        checksum(header.duplicate().limit(24), magicOk ? order : ByteOrder.LITTLE_ENDIAN, sum);
        boolean headerOk = magicOk && validPageSize(walPageSize) && sum[0] == header.getInt(24) && sum[1] == header.getInt(28);
        if (!headerOk) {
            long commits = commitsWithSalts(ch, 0, frames, frameBytes, salt1, salt2);
            if (commits == 0) return null;
            return new Damage(0, frames, 0, !magicOk ? "does not start with the log's magic number"
                    : !validPageSize(walPageSize) ? "gives no valid page size" : "fails its checksum", commits, 0);
        }
        sum[0] = header.getInt(24);
        sum[1] = header.getInt(28);
        ByteBuffer frame = ByteBuffer.allocate((int) frameBytes);
        for (long i = 0; i < frames; i++) {
            long offset = HEADER_BYTES + i * frameBytes;
            frame.clear();
            while (frame.hasRemaining()) {
                if (ch.read(frame, offset + frame.position()) < 0) break;
            }
            if (frame.hasRemaining()) { // shorter than it was: a writer truncated it meanwhile
                frames = i;
                break;
            }
            frame.flip();
            String broken = null;
            if (frame.getInt(8) != salt1 || frame.getInt(12) != salt2) {
                broken = "does not carry the log's salts";
            } else {
                checksum(frame.duplicate().limit(8), order, sum);
                checksum(frame.duplicate().position(FRAME_HEADER_BYTES), order, sum);
                if (sum[0] != frame.getInt(16) || sum[1] != frame.getInt(20)) broken = "fails its checksum";
            }
            if (broken == null) continue;
            // the broken frame's own transaction ends at the first commit frame with the log's salts from it on: what
            // a crash can leave. A whole transaction after that one was written after the broken one was synced (a
            // torn tail of unsynced transactions has none: the class says why)
            long commits = wholeTransactionsAfter(ch, i, frames, frameBytes, order, salt1, salt2);
            if (commits == 0) return null;
            return new Damage(i + 1, frames, offset, broken, commits, i);
        }
        return null; // intact, or a partial frame at the end: the last transaction, cut by a crash
    }

    /**
     * The whole transactions after the one holding the broken frame {@code broken} (0-based): that one ends at the first
     * commit frame (non-zero commit size) carrying the salts from {@code broken} on; a later transaction is whole when
     * each of its frames, up to and including its commit frame, carries the salts and its checksum continues the one
     * stored in the frame before it. 0 when none follows: a torn tail.
     */
    private static long wholeTransactionsAfter(FileChannel ch, long broken, long frames, long frameBytes, ByteOrder order,
                                               int salt1, int salt2) throws IOException {
        ByteBuffer frame = ByteBuffer.allocate((int) frameBytes);
        ByteBuffer previous = ByteBuffer.allocate(FRAME_HEADER_BYTES);
        int[] sum = new int[2];
        boolean ownEnded = false;
        boolean whole = true; // the frames of the current transaction so far
        long transactions = 0;
        for (long i = broken; i < frames; i++) {
            long offset = HEADER_BYTES + i * frameBytes;
            if (!ownEnded) { // only the frame headers up to the broken one's commit frame
                frame.clear().limit(FRAME_HEADER_BYTES);
            } else {
                frame.clear();
            }
            while (frame.hasRemaining()) {
                if (ch.read(frame, offset + frame.position()) < 0) return transactions;
            }
            frame.flip();
            boolean salted = frame.getInt(8) == salt1 && frame.getInt(12) == salt2;
            boolean commit = frame.getInt(4) != 0;
            if (ownEnded) {
                sum[0] = previous.getInt(16);
                sum[1] = previous.getInt(20);
                checksum(frame.duplicate().limit(8), order, sum);
                checksum(frame.duplicate().position(FRAME_HEADER_BYTES), order, sum);
                whole &= salted && sum[0] == frame.getInt(16) && sum[1] == frame.getInt(20);
                if (commit && salted) {
                    if (whole) transactions++;
                    whole = true;
                }
            } else if (commit && salted) {
                ownEnded = true;
            }
            previous.clear();
            previous.put(frame.duplicate().position(0).limit(FRAME_HEADER_BYTES)).flip();
        }
        return transactions;
    }

    /** The commit frames (non-zero commit size) carrying the salts among frames {@code from} (0-based) to {@code frames}. */
    private static long commitsWithSalts(FileChannel ch, long from, long frames, long frameBytes, int salt1, int salt2)
            throws IOException {
        long commits = 0;
        ByteBuffer h = ByteBuffer.allocate(FRAME_HEADER_BYTES);
        for (long i = from; i < frames; i++) {
            h.clear();
            long offset = HEADER_BYTES + i * frameBytes;
            while (h.hasRemaining()) {
                if (ch.read(h, offset + h.position()) < 0) return commits;
            }
            if (h.getInt(4) != 0 && h.getInt(8) == salt1 && h.getInt(12) == salt2) commits++;
        }
        return commits;
    }

    /**
     * SQLite's WAL checksum (fileformat2.html, "Checksum Algorithm") over {@code data}'s remaining bytes (a multiple of
     * 8), as 32-bit words in {@code order}, continuing from {@code sum}.
     */
    private static void checksum(ByteBuffer data, ByteOrder order, int[] sum) {
        ByteBuffer b = data.slice().order(order);
        int s0 = sum[0];
        int s1 = sum[1];
        int n = b.remaining() / 8;
        for (int i = 0; i < n; i++) {
            s0 += b.getInt(8 * i) + s1;
            s1 += b.getInt(8 * i + 4) + s0;
        }
        sum[0] = s0;
        sum[1] = s1;
    }
}
