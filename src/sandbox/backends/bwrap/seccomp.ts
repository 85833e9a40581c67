/**
 * The seccomp filter every sandboxed process runs under (bwrap installs it right before it execs
 * the program, after its own set-up, with no_new_privs set).
 *
 * The default is allow: the program is already an unprivileged user in its own user, mount, pid,
 * network, ipc, uts and cgroup namespaces, without capabilities. The filter removes the kernel
 * surface that such a user could still reach and that no interpreter needs: other namespaces
 * (the usual first step of a kernel exploit), mount APIs, kernel modules, keyrings, BPF, perf,
 * userfaultfd, io_uring, cross-process memory access, ptrace, the clock, and socket families other
 * than unix, inet, inet6 and netlink (AF_VSOCK would reach the hypervisor, AF_ALG the kernel crypto
 * API). Refused calls fail with EPERM (EAFNOSUPPORT for sockets) so programs see a normal error;
 * clone3 fails with ENOSYS so that glibc falls back to clone, whose flags can be checked (clone3
 * passes them in memory, out of a filter's reach). A syscall of another ABI (i386 or x32 on x86_64,
 * arm32 on aarch64) kills the process: those tables would need their own filter.
 *
 * Syscall numbers: linux/arch/x86/entry/syscalls/syscall_64.tbl and include/uapi/asm-generic/unistd.h.
 */
import { SECCOMP_DATA, SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_PROCESS, encode, jumpIfAnyBit, jumpIfAtLeast, jumpIfEqual, loadWord, ret, retErrno, type Instruction } from './bpf.ts';

export type SeccompArch = 'x64' | 'arm64';

/** linux/audit.h: AUDIT_ARCH_X86_64 and AUDIT_ARCH_AARCH64. */
export const AUDIT_ARCH: Readonly<Record<SeccompArch, number>> = { x64: 0xc000003e, arm64: 0xc00000b7 };

const EPERM = 1;
const ENOSYS = 38;
const EAFNOSUPPORT = 97;

/** Refused outright (EPERM), by name, with the number on each architecture (null: not on it). */
const DENIED: Readonly<Record<string, readonly [x64: number | null, arm64: number | null]>> = {
  // debugging and reading other processes
  ptrace: [101, 117],
  process_vm_readv: [310, 270],
  process_vm_writev: [311, 271],
  process_madvise: [440, 440],
  pidfd_getfd: [438, 438],
  kcmp: [312, 272],
  // namespaces and mounts
  unshare: [272, 97],
  setns: [308, 268],
  mount: [165, 40],
  umount2: [166, 39],
  pivot_root: [155, 41],
  chroot: [161, 51],
  open_tree: [428, 428],
  open_tree_attr: [467, 467],
  move_mount: [429, 429],
  fsopen: [430, 430],
  fsconfig: [431, 431],
  fsmount: [432, 432],
  fspick: [433, 433],
  mount_setattr: [442, 442],
  // file handles bypass path permission checks
  open_by_handle_at: [304, 265],
  name_to_handle_at: [303, 264],
  // kernel modules, kexec, reboot, swap, accounting
  init_module: [175, 105],
  finit_module: [313, 273],
  delete_module: [176, 106],
  create_module: [174, null],
  get_kernel_syms: [177, null],
  query_module: [178, null],
  kexec_load: [246, 104],
  kexec_file_load: [320, 294],
  reboot: [169, 142],
  swapon: [167, 224],
  swapoff: [168, 225],
  acct: [163, 89],
  quotactl: [179, 60],
  quotactl_fd: [443, 443],
  nfsservctl: [180, 42],
  // kernel attack surface an interpreter does not need
  bpf: [321, 280],
  perf_event_open: [298, 241],
  userfaultfd: [323, 282],
  io_uring_setup: [425, 425],
  io_uring_enter: [426, 426],
  io_uring_register: [427, 427],
  keyctl: [250, 219],
  add_key: [248, 217],
  request_key: [249, 218],
  lookup_dcookie: [212, 18],
  fanotify_init: [300, 262],
  syslog: [103, 116],
  modify_ldt: [154, null],
  iopl: [172, null],
  ioperm: [173, null],
  uselib: [134, null],
  _sysctl: [156, null],
  vhangup: [153, 58],
  migrate_pages: [256, 238],
  move_pages: [279, 239],
  // the clock and the host's names
  settimeofday: [164, 170],
  clock_settime: [227, 112],
  clock_adjtime: [305, 266],
  adjtimex: [159, 171],
  sethostname: [170, 161],
  setdomainname: [171, 162],
};

/** Syscalls whose arguments are checked. */
const NR = {
  clone: [56, 220],
  clone3: [435, 435],
  personality: [135, 92],
  socket: [41, 198],
  socketpair: [53, 199],
  ioctl: [16, 29],
} as const satisfies Record<string, readonly [number, number]>;

/** linux/sched.h: every CLONE_NEW* flag clone() accepts (CLONE_NEWTIME exists only for clone3). */
export const CLONE_NAMESPACE_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;

/** personality(2) values Docker's default profile allows too: PER_LINUX, PER_LINUX32, UNAME26 variants, and the query. */
const PERSONALITIES = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

/** AF_UNIX, AF_INET, AF_INET6, AF_NETLINK. */
export const SOCKET_FAMILIES = [1, 2, 10, 16];

/** TIOCSTI (push input into a terminal) and TIOCLINUX: refused even though the sandbox has no terminal (--new-session also applies). */
const IOCTLS_DENIED = [0x5412, 0x541c];

/** x86_64: syscall numbers with this bit set are the x32 ABI. */
const X32_SYSCALL_BIT = 0x40000000;

const col = (arch: SeccompArch): 0 | 1 => (arch === 'x64' ? 0 : 1);

/** `if nr == n: return action` (2 instructions, no long jumps). */
function denyNr(n: number, action: Instruction): Instruction[] {
  return [jumpIfEqual(n, 0, 1), action];
}

/** `if nr == n: return (arg[i] in allowed) ? ALLOW : action`. */
function allowArgValues(n: number, arg: number, allowed: readonly number[], action: Instruction): Instruction[] {
  const body: Instruction[] = [loadWord(SECCOMP_DATA.argLow(arg))];
  allowed.forEach((v, i) => body.push(jumpIfEqual(v, allowed.length - i, 0)));
  body.push(action, ret(SECCOMP_RET_ALLOW));
  return [jumpIfEqual(n, 0, body.length), ...body];
}

/** `if nr == n: return (arg[i] in denied) ? action : ALLOW`. */
function denyArgValues(n: number, arg: number, denied: readonly number[], action: Instruction): Instruction[] {
  const body: Instruction[] = [loadWord(SECCOMP_DATA.argLow(arg))];
  denied.forEach((v, i) => body.push(jumpIfEqual(v, denied.length - i, 0)));
  body.push(ret(SECCOMP_RET_ALLOW), action);
  return [jumpIfEqual(n, 0, body.length), ...body];
}

/** `if nr == n: return (arg[i] & mask) ? action : ALLOW`. */
function denyArgBits(n: number, arg: number, mask: number, action: Instruction): Instruction[] {
  const body = [loadWord(SECCOMP_DATA.argLow(arg)), jumpIfAnyBit(mask, 0, 1), action, ret(SECCOMP_RET_ALLOW)];
  return [jumpIfEqual(n, 0, body.length), ...body];
}

/** The filter program for `arch` (instructions, before encoding). */
export function seccompProgram(arch: SeccompArch): Instruction[] {
  const c = col(arch);
  const eperm = retErrno(EPERM);
  const kill = ret(SECCOMP_RET_KILL_PROCESS);
  const p: Instruction[] = [loadWord(SECCOMP_DATA.arch), jumpIfEqual(AUDIT_ARCH[arch], 1, 0), kill, loadWord(SECCOMP_DATA.nr)];
  if (arch === 'x64') p.push(jumpIfAtLeast(X32_SYSCALL_BIT, 0, 1), kill);
  for (const nrs of Object.values(DENIED)) {
    const n = nrs[c];
    if (n !== null) p.push(...denyNr(n, eperm));
  }
  p.push(...denyNr(NR.clone3[c], retErrno(ENOSYS)));
  // Each argument block ends in a return, so A (which it overwrites) is never read again.
  p.push(...denyArgBits(NR.clone[c], 0, CLONE_NAMESPACE_FLAGS, eperm));
  p.push(...allowArgValues(NR.personality[c], 0, PERSONALITIES, eperm));
  p.push(...allowArgValues(NR.socket[c], 0, SOCKET_FAMILIES, retErrno(EAFNOSUPPORT)));
  p.push(...allowArgValues(NR.socketpair[c], 0, SOCKET_FAMILIES, retErrno(EAFNOSUPPORT)));
  p.push(...denyArgValues(NR.ioctl[c], 1, IOCTLS_DENIED, eperm));
  p.push(ret(SECCOMP_RET_ALLOW));
  return p;
}

/** The architecture of this machine as the filter knows it, or null when unsupported. */
export function hostSeccompArch(): SeccompArch | null {
  return process.arch === 'x64' || process.arch === 'arm64' ? process.arch : null;
}

/** Encoded filter for `arch`, ready to be written to bwrap's --seccomp fd. */
export function seccompFilter(arch: SeccompArch): Buffer {
  return encode(seccompProgram(arch));
}

/** Names of the syscalls refused outright (documentation and tests). */
export const DENIED_SYSCALLS: readonly string[] = Object.keys(DENIED);

/** The number of a refused syscall on `arch` (tests). */
export function deniedNumber(name: string, arch: SeccompArch): number | null {
  return DENIED[name]?.[col(arch)] ?? null;
}

/** The number of an argument-checked syscall on `arch` (tests). */
export function checkedNumber(name: keyof typeof NR, arch: SeccompArch): number {
  return NR[name][col(arch)];
}
