package io.swarmflow.sandbox;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The seccomp filter bubblewrap installs for every sandboxed ticket ({@code bwrap --seccomp FD}): it makes the kernel
 * key management calls add_key(2), request_key(2) and keyctl(2) fail with {@code EPERM} and allows every other system
 * call. The kernel keyrings are not namespaced by the mount, PID or network namespaces, so a ticket running as root
 * without a user namespace could otherwise read root's user keyring ({@code @u}) and the session keyring swarm was
 * started in (Kerberos {@code KEYRING:} caches, CIFS/NFS and ecryptfs credentials, systemd's password cache): review
 * finding R3. Docker's default seccomp profile refuses the same three calls.
 *
 * <p>The program is classic BPF, an array of {@code struct sock_filter {u16 code; u8 jt; u8 jf; u32 k}} in the host's
 * byte order (little-endian on both architectures below), 8 bytes each, run on a {@code struct seccomp_data
 * {int nr; u32 arch; u64 instruction_pointer; u64 args[6]}}. For each system call ABI the kernel of the architecture
 * offers, it compares {@code arch} (offset 4) and then {@code nr} (offset 0):
 * <ul>
 *   <li>x86-64 ({@code os.arch} {@code amd64} or {@code x86_64}): {@code AUDIT_ARCH_X86_64} (0xC000003E) with
 *       add_key/request_key/keyctl = 248/249/250, and every number with bit 30 set (the x32 ABI, {@code __X32_SYSCALL_BIT}
 *       0x40000000, whose own table reaches the same calls) refused; {@code AUDIT_ARCH_I386} (0x40000003, 32-bit
 *       programs) with 286/287/288.</li>
 *   <li>aarch64: {@code AUDIT_ARCH_AARCH64} (0xC00000B7) with 217/218/219; {@code AUDIT_ARCH_ARM} (0x40000028, 32-bit
 *       programs under {@code CONFIG_COMPAT}) with 309/310/311.</li>
 * </ul>
 * A call of any other ABI (which these kernels do not have) is refused with {@code EPERM} as well, rather than allowed:
 * another system call table could reach keyctl under another number. Refusing with an errno rather than killing the
 * process keeps the policy's only effect an error return, as for the three calls themselves.
 *
 * <p>On any other architecture there is no filter ({@link #program()} is empty, {@link #problem()} says why): runs are
 * not failed for it, and {@link Sandbox} warns once (docs/sandbox.md).
 *
 * <p>Sources: {@code include/uapi/linux/seccomp.h} ({@code struct seccomp_data}, {@code SECCOMP_RET_ALLOW} 0x7fff0000,
 * {@code SECCOMP_RET_ERRNO} 0x00050000 with the errno in the low 16 bits); {@code include/uapi/linux/filter.h} and
 * {@code include/uapi/linux/bpf_common.h} ({@code struct sock_filter}, {@code BPF_LD|BPF_W|BPF_ABS} 0x20,
 * {@code BPF_JMP|BPF_JEQ|BPF_K} 0x15, {@code BPF_JMP|BPF_JGE|BPF_K} 0x35, {@code BPF_RET|BPF_K} 0x06);
 * {@code include/uapi/linux/audit.h} ({@code AUDIT_ARCH_*}: the ELF machine, {@code __AUDIT_ARCH_64BIT} 0x80000000,
 * {@code __AUDIT_ARCH_LE} 0x40000000); the system call tables {@code arch/x86/entry/syscalls/syscall_64.tbl},
 * {@code arch/x86/entry/syscalls/syscall_32.tbl}, {@code include/uapi/asm-generic/unistd.h} (arm64) and
 * {@code arch/arm/tools/syscall.tbl}; bubblewrap(1) for {@code --seccomp FD}.
 */
public final class SeccompFilter {
    private SeccompFilter() {}

    /** {@code BPF_LD | BPF_W | BPF_ABS}: load the 32-bit word at offset k of seccomp_data. */
    static final int LD_W_ABS = 0x20;
    /** {@code BPF_JMP | BPF_JEQ | BPF_K}. */
    static final int JEQ = 0x15;
    /** {@code BPF_JMP | BPF_JGE | BPF_K} (unsigned). */
    static final int JGE = 0x35;
    /** {@code BPF_RET | BPF_K}. */
    static final int RET = 0x06;
    /** Offsets in {@code struct seccomp_data}. */
    static final int OFFSET_NR = 0;
    static final int OFFSET_ARCH = 4;
    /** {@code SECCOMP_RET_ALLOW}. */
    static final int RET_ALLOW = 0x7fff0000;
    /** {@code SECCOMP_RET_ERRNO | EPERM} (EPERM = 1). */
    static final int RET_EPERM = 0x00050000 | 1;
    /** {@code __X32_SYSCALL_BIT} (arch/x86/include/uapi/asm/unistd.h). */
    static final int X32_SYSCALL_BIT = 0x40000000;

    static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    static final int AUDIT_ARCH_I386 = 0x40000003;
    static final int AUDIT_ARCH_AARCH64 = 0xC00000B7;
    static final int AUDIT_ARCH_ARM = 0x40000028;

    /** One system call ABI: its audit arch, its numbers of add_key, request_key and keyctl, and whether x32 shares it. */
    record Abi(String name, int auditArch, int[] refused, boolean refuseX32) {}

    /** The ABIs of the kernel of {@code osArch} (the JVM's {@code os.arch}), or an empty list for an unknown one. */
    static List<Abi> abis(String osArch) {
        return switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> List.of(new Abi("x86-64", AUDIT_ARCH_X86_64, new int[]{248, 249, 250}, true),
                    new Abi("i386", AUDIT_ARCH_I386, new int[]{286, 287, 288}, false));
            case "aarch64", "arm64" -> List.of(new Abi("aarch64", AUDIT_ARCH_AARCH64, new int[]{217, 218, 219}, false),
                    new Abi("arm", AUDIT_ARCH_ARM, new int[]{309, 310, 311}, false));
            default -> List.of();
        };
    }

    private static final Optional<byte[]> CURRENT = forArchitecture(System.getProperty("os.arch", ""));

    /**
     * The compiled filter for this JVM's architecture ({@code os.arch}), {@code 8 * n} bytes of {@code struct
     * sock_filter} ready for {@code bwrap --seccomp FD}; empty on an architecture this class does not know. A copy:
     * the caller may change it.
     */
    public static Optional<byte[]> program() {
        return CURRENT.map(byte[]::clone);
    }

    /** Why there is no filter here (see {@link #program()}), or null when there is one. */
    public static String problem() {
        return CURRENT.isPresent() ? null : "no seccomp filter is known for this architecture (os.arch="
                + System.getProperty("os.arch") + "; known: amd64, aarch64)";
    }

    /**
     * The compiled filter for {@code osArch} (a value of the {@code os.arch} system property, compared without case);
     * empty when the architecture is not x86-64 or aarch64.
     *
     * @throws NullPointerException when {@code osArch} is null
     */
    static Optional<byte[]> forArchitecture(String osArch) {
        List<Abi> abis = abis(osArch);
        if (abis.isEmpty()) return Optional.empty();
        List<int[]> p = new ArrayList<>(); // {code, jt, jf, k}; jumps to the refusal are fixed up at the end
        List<Integer> toRefusal = new ArrayList<>(); // instructions whose jt jumps to the final RET_EPERM
        p.add(new int[]{LD_W_ABS, 0, 0, OFFSET_ARCH});
        for (Abi abi : abis) {
            int block = 1 + (abi.refuseX32() ? 1 : 0) + abi.refused().length + 1; // ld nr, [x32], the numbers, ret allow
            p.add(new int[]{JEQ, 0, block, abi.auditArch()}); // not this ABI: skip its block, A still holds arch
            p.add(new int[]{LD_W_ABS, 0, 0, OFFSET_NR});
            if (abi.refuseX32()) {
                toRefusal.add(p.size());
                p.add(new int[]{JGE, 0, 0, X32_SYSCALL_BIT});
            }
            for (int nr : abi.refused()) {
                toRefusal.add(p.size());
                p.add(new int[]{JEQ, 0, 0, nr});
            }
            p.add(new int[]{RET, 0, 0, RET_ALLOW});
        }
        int refusal = p.size();
        p.add(new int[]{RET, 0, 0, RET_EPERM}); // an unknown ABI, or a refused call
        for (int i : toRefusal) {
            int jump = refusal - (i + 1);
            if (jump > 255) throw new IllegalStateException("seccomp jump too long: " + jump);
            p.get(i)[1] = jump;
        }
        ByteBuffer b = ByteBuffer.allocate(8 * p.size()).order(ByteOrder.LITTLE_ENDIAN);
        for (int[] insn : p) {
            b.putShort((short) insn[0]).put((byte) insn[1]).put((byte) insn[2]).putInt(insn[3]);
        }
        return Optional.of(b.array());
    }
}
