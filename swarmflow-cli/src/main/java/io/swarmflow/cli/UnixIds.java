package io.swarmflow.cli;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Users and groups by id, from libc's {@code getpwuid_r(3)} and {@code getgrgid_r(3)} (bound by JNA's direct mapping),
 * so that every name service that {@code /etc/nsswitch.conf} names answers (LDAP, sssd, systemd-homed), as for {@code
 * ls -l} and {@code id}. When JNA cannot load its native library, or the platform is not 64-bit Linux, whose struct
 * layouts (glibc, musl) the lookups read ({@link #PROBLEM}), {@code /etc/passwd} and {@code /etc/group} are read instead,
 * and users and groups known only to another name service are not seen.
 * <p>
 * {@link #primaryUsers} enumerates the user database (once per process) with {@code setpwent(3)}, {@code getpwent_r(3)} and {@code
 * endpwent(3)}: only what a name service lists when asked for all its users is seen. {@code /etc/passwd}, systemd-homed
 * and LDAP or sssd with enumeration on list theirs; sssd with {@code enumerate = false} (its default) and LDAP without
 * enumeration answer lookups by name or id only, so their users are not seen there. That is the documented limit.
 */
final class UnixIds {
    /** Why libc's lookups are not used (then /etc/passwd and /etc/group are read): not 64-bit Linux, or JNA failed; or null. */
    static final String PROBLEM = load();

    /** A buffer for the strings of one entry starts at this many bytes and doubles on ERANGE up to {@link #MAX_BUFFER}. */
    private static final int FIRST_BUFFER = 1024;
    /** The largest buffer tried: 16 MiB, a group of some hundred thousand members. */
    private static final int MAX_BUFFER = 16 << 20;
    private static final int ERANGE = 34;
    private static final int EINTR = 4;
    /** What getpwuid_r(3) lists besides 0 for "not found": ENOENT, ESRCH, EBADF, EPERM. */
    private static final List<Integer> NOT_FOUND = List.of(2, 3, 9, 1);

    private UnixIds() {
    }

    /** A group: its name and the users its entry lists as members (not those whose primary group it is). */
    record Group(String name, List<String> members) {
    }

    /** A user of the user database: its name and uid. */
    record User(String name, long uid) {
    }

    /** A lookup that failed: {@code getgrgid_r(4242): errno 5}, or a buffer that could not be made big enough. */
    static final class LookupException extends Exception {
        LookupException(String message) {
            super(message);
        }
    }

    private static String load() {
        try {
            String platform = platformProblem(com.sun.jna.Platform.isLinux(), com.sun.jna.Platform.is64Bit());
            if (platform != null) return platform;
            Native.register(UnixIds.class, "c");
            return null;
        } catch (LinkageError | RuntimeException e) {
            return e.toString();
        }
    }

    /**
     * Null on 64-bit Linux, whose {@code struct passwd} and {@code struct group} layouts (glibc and musl alike: pointers and
     * 32-bit ids) {@link #userName} and {@link #group} read; else why the lookups are not used there.
     */
    static String platformProblem(boolean linux, boolean is64Bit) {
        if (linux && is64Bit) return null;
        return "the getpwuid_r and getgrgid_r struct layouts are known only for 64-bit Linux, not " + System.getProperty("os.name")
                + " " + System.getProperty("os.arch") + (linux ? " (32-bit)" : "");
    }

    // uid_t and gid_t are 32 bits; size_t is taken as 64 bits, as for getxattr in Wiring
    private static native int getpwuid_r(int uid, Pointer pwd, Pointer buf, long buflen, Pointer result);

    private static native int getgrgid_r(int gid, Pointer grp, Pointer buf, long buflen, Pointer result);

    /**
     * The name of the user {@code uid}; empty when no name service knows it.
     *
     * @throws LookupException when the lookup failed (a name service unreachable, an error other than not found)
     */
    static Optional<String> userName(long uid) throws LookupException {
        if (PROBLEM != null) return fromFile(Path.of("/etc/passwd"), uid, 3).map(f -> f[0]);
        // struct passwd: pw_name, pw_passwd, pw_uid, pw_gid, pw_gecos, pw_dir, pw_shell: 7 pointers' room is enough
        return lookup("getpwuid_r", uid, 7 * Native.POINTER_SIZE, entry -> entry.getPointer(0).getString(0));
    }

    /**
     * The group {@code gid}; empty when no name service knows it.
     *
     * @throws LookupException when the lookup failed (a name service unreachable, an error other than not found)
     */
    static Optional<Group> group(long gid) throws LookupException {
        if (PROBLEM != null) {
            return fromFile(Path.of("/etc/group"), gid, 4).map(f -> new Group(f[0], f[3].isBlank() ? List.of()
                    : Arrays.stream(f[3].split(",")).map(String::strip).filter(m -> !m.isEmpty()).toList()));
        }
        // struct group: gr_name, gr_passwd, gr_gid (padded to a pointer's size), gr_mem (a NULL-ended array of names)
        return lookup("getgrgid_r", gid, 4 * Native.POINTER_SIZE, entry -> {
            Pointer mem = entry.getPointer(3L * Native.POINTER_SIZE);
            return new Group(entry.getPointer(0).getString(0), mem == null ? List.of() : List.of(mem.getStringArray(0)));
        });
    }

    /**
     * {@code getpwuid_r} or {@code getgrgid_r} of {@code id}: what {@code read} reads from the entry it filled (while the
     * buffer holding the entry's strings is alive), or empty when not found. The buffer doubles while the call says ERANGE
     * (a group with many members); EINTR is tried again. The error is the call's result, as POSIX has it, or errno when
     * that is -1.
     */
    private static <T> Optional<T> lookup(String call, long id, int entrySize, java.util.function.Function<Pointer, T> read)
            throws LookupException {
        Memory entry = new Memory(entrySize);
        Memory result = new Memory(Native.POINTER_SIZE);
        for (int size = FIRST_BUFFER; ; ) {
            Memory buf = new Memory(size);
            result.setPointer(0, null);
            int err = call.equals("getgrgid_r") ? getgrgid_r((int) id, entry, buf, size, result)
                    : getpwuid_r((int) id, entry, buf, size, result);
            if (err == -1) err = Native.getLastError(); // as libnss-wrapper does: -1, with the error in errno
            if (err == ERANGE && size < MAX_BUFFER) {
                size *= 2;
                continue;
            }
            if (err == EINTR) continue;
            if (err == 0 || NOT_FOUND.contains(err)) {
                try {
                    return result.getPointer(0) == null ? Optional.empty() : Optional.of(read.apply(entry));
                } finally {
                    java.lang.ref.Reference.reachabilityFence(buf);
                }
            }
            throw new LookupException(call + "(" + id + ") failed: errno " + err + (err == ERANGE ? " (ERANGE: more than "
                    + (MAX_BUFFER >> 20) + " MiB of names)" : ""));
        }
    }

    /** An entry of the user database as enumerated: the user's name, uid and primary gid. */
    record Entry(String name, long uid, long gid) {
    }

    /** Enumerates the whole user database: its entries in the order it lists them. */
    @FunctionalInterface
    interface UserDatabase {
        /**
         * The entries, in order.
         *
         * @throws LookupException when the enumeration failed
         */
        List<Entry> entries() throws LookupException;
    }

    /**
     * The user database of this process ({@link #enumerate}), enumerated at most once: the state-directory checks ask for
     * the users of each group-writable user private group on the path, and run twice per command, and a name service
     * that enumerates LDAP or sssd can take seconds per enumeration.
     */
    static final Users USERS = new Users(UnixIds::enumerate);

    /**
     * A user database enumerated at most once, on the first call of {@link #primaryUsers}, by whichever thread comes first
     * (the others wait for it); its entries, or the failure, answer every later call. A user added while the process runs
     * is not seen: a swarm command runs for seconds.
     */
    static final class Users {
        private final UserDatabase database;
        private final Object lock = new Object();
        /** The entries, once enumerated; or null. */
        private List<Entry> entries;
        /** The failure, once the enumeration failed; or null. */
        private LookupException failure;

        /** Users of {@code database}, which this enumerates at most once. */
        Users(UserDatabase database) {
            this.database = database;
        }

        /**
         * The users whose primary group is {@code gid}, other than root and {@code except} (a uid), in the order the
         * database lists them, each once.
         *
         * @throws LookupException the enumeration's failure (the same one on every call)
         */
        List<User> primaryUsers(long gid, long except) throws LookupException {
            java.util.Set<User> users = new java.util.LinkedHashSet<>();
            for (Entry e : entries()) {
                if (e.gid() == gid && e.uid() != 0 && e.uid() != except) users.add(new User(e.name(), e.uid()));
            }
            return List.copyOf(users);
        }

        private List<Entry> entries() throws LookupException {
            synchronized (lock) {
                if (entries == null && failure == null) {
                    try {
                        entries = List.copyOf(database.entries());
                    } catch (LookupException e) {
                        failure = e;
                    }
                }
                if (failure != null) throw new LookupException(failure.getMessage());
                return entries;
            }
        }
    }

    /**
     * The users whose primary group (the gid of their entry in the user database) is {@code gid}, other than root and
     * {@code except} (a uid), in the order the database lists them: those who can write to what their primary group can,
     * though the group's entry need not list them. The user database is enumerated once per process ({@link #USERS}).
     *
     * @return the users, none when no one else has that primary group
     * @throws LookupException when the enumeration failed (a name service unreachable, an entry too big for 16 MiB)
     */
    static List<User> primaryUsers(long gid, long except) throws LookupException {
        return USERS.primaryUsers(gid, except);
    }

    /**
     * The whole user database, in the order it lists its users (each user once, should several name services list the
     * same): NSS's {@code getpwent_r(3)}, or {@code /etc/passwd} as for the other lookups, and when libc has no {@code
     * getpwent_r}. Only what a name service lists when enumerated is seen: not the users of sssd with {@code enumerate =
     * false} (its default) nor of LDAP without enumeration. The enumeration's position is libc's, shared by the whole
     * process: calls are serialized.
     *
     * @throws LookupException when the enumeration failed (a name service unreachable, an entry too big for 16 MiB)
     */
    static List<Entry> enumerate() throws LookupException {
        if (PROBLEM != null || Enumeration.PROBLEM != null) {
            Path file = Path.of("/etc/passwd");
            try (java.util.stream.Stream<String> lines = Files.lines(file)) {
                // ids as getpwent would give them: decimal, no leading zero, 32 bits
                return lines.map(line -> line.split(":", -1)).filter(f -> f.length >= 4 && f[2].matches("[0-9]{1,10}")
                        && f[3].matches("0|[1-9][0-9]{0,9}")).map(f -> new Entry(f[0], Long.parseLong(f[2]),
                        Long.parseLong(f[3]))).toList();
            } catch (java.io.IOException | java.io.UncheckedIOException | SecurityException e) {
                throw new LookupException("cannot read " + file + ": " + e.getMessage());
            }
        }
        synchronized (Enumeration.class) {
            Enumeration.setpwent();
            try {
                // several name services may list one user: each once, in the order first listed
                java.util.Set<Entry> entries = new java.util.LinkedHashSet<>();
                // struct passwd: pw_name, pw_passwd, pw_uid and pw_gid (32 bits each), pw_gecos, pw_dir, pw_shell
                Memory entry = new Memory(7L * Native.POINTER_SIZE);
                Memory result = new Memory(Native.POINTER_SIZE);
                Memory buf = new Memory(FIRST_BUFFER * 16L);
                while (true) {
                    result.setPointer(0, null);
                    int err = Enumeration.getpwent_r(entry, buf, buf.size(), result);
                    if (err == -1) err = Native.getLastError();
                    if (err == ERANGE && buf.size() < MAX_BUFFER) { // glibc gives the same entry again with more room
                        buf = new Memory(buf.size() * 2);
                        continue;
                    }
                    if (err == EINTR) continue;
                    if (err != 0 && !NOT_FOUND.contains(err)) {
                        throw new LookupException("getpwent_r failed: errno " + err + (err == ERANGE ? " (ERANGE: more than "
                                + (MAX_BUFFER >> 20) + " MiB for one user)" : ""));
                    }
                    if (result.getPointer(0) == null) return List.copyOf(entries); // ENOENT: the end
                    long uid = entry.getInt(2L * Native.POINTER_SIZE) & 0xffffffffL;
                    long primary = entry.getInt(2L * Native.POINTER_SIZE + 4) & 0xffffffffL;
                    entries.add(new Entry(entry.getPointer(0).getString(0), uid, primary));
                }
            } finally {
                Enumeration.endpwent();
            }
        }
    }

    /** libc's user enumeration, bound apart: musl has no {@code getpwent_r}, and its absence spares the other lookups. */
    private static final class Enumeration {
        /** Why JNA could not bind the enumeration, or null (then /etc/passwd is read). */
        static final String PROBLEM = UnixIds.PROBLEM == null ? load() : UnixIds.PROBLEM;

        private Enumeration() {
        }

        private static String load() {
            try {
                Native.register(Enumeration.class, "c");
                return null;
            } catch (LinkageError | RuntimeException e) {
                return e.toString();
            }
        }

        static native void setpwent();

        static native void endpwent();

        static native int getpwent_r(Pointer pwd, Pointer buf, long buflen, Pointer result);
    }

    /** The fields of the line of {@code file} (/etc/passwd or /etc/group) whose third field is {@code id}, if any. */
    private static Optional<String[]> fromFile(Path file, long id, int fields) throws LookupException {
        try (java.util.stream.Stream<String> lines = Files.lines(file)) {
            return lines.map(line -> line.split(":", -1)).filter(f -> f.length >= fields && f[2].equals(Long.toString(id)))
                    .findFirst();
        } catch (java.io.IOException | java.io.UncheckedIOException | SecurityException e) {
            throw new LookupException("cannot read " + file + ": " + e.getMessage());
        }
    }
}
