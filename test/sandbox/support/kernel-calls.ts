/**
 * Kernel calls a hostile program tries first, with what the sandbox must answer, and a Python
 * program that makes them all through ctypes' syscall(2) and prints `name ERRNO` per call.
 *
 * The syscall numbers are written out here again, from the kernel's own tables
 * (arch/x86/entry/syscalls/syscall_64.tbl, include/uapi/asm-generic/unistd.h), independently of
 * the backend's filter, so a wrong number there cannot hide behind the same wrong number here.
 * Several answers prove the filter specifically: without it, settimeofday(NULL, NULL) succeeds,
 * unshare(CLONE_NEWUSER) and personality(ADDR_NO_RANDOMIZE) work for anyone, and clone3 exists.
 */

export interface KernelCall {
  readonly name: string;
  /** [x86_64, aarch64]; null: not on that architecture. */
  readonly nr: readonly [number | null, number | null];
  readonly args: readonly number[];
  readonly expect: 'EPERM' | 'ENOSYS';
}

const CLONE_NEWUSER = 0x10000000;
const CLONE_NEWNS = 0x00020000;
const SIGCHLD = 17;
const ADDR_NO_RANDOMIZE = 0x0040000;
const TIOCSTI = 0x5412;

export const KERNEL_CALLS: readonly KernelCall[] = [
  { name: 'ptrace', nr: [101, 117], args: [0, 0, 0, 0], expect: 'EPERM' },
  { name: 'unshare-user', nr: [272, 97], args: [CLONE_NEWUSER], expect: 'EPERM' },
  { name: 'unshare-mount', nr: [272, 97], args: [CLONE_NEWNS], expect: 'EPERM' },
  { name: 'clone-newuser', nr: [56, 220], args: [CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0], expect: 'EPERM' },
  { name: 'clone3', nr: [435, 435], args: [0, 0], expect: 'ENOSYS' },
  { name: 'setns', nr: [308, 268], args: [0, 0], expect: 'EPERM' },
  { name: 'mount', nr: [165, 40], args: [0, 0, 0, 0, 0], expect: 'EPERM' },
  { name: 'umount2', nr: [166, 39], args: [0, 0], expect: 'EPERM' },
  { name: 'pivot_root', nr: [155, 41], args: [0, 0], expect: 'EPERM' },
  { name: 'chroot', nr: [161, 51], args: [0], expect: 'EPERM' },
  { name: 'fsopen', nr: [430, 430], args: [0, 0], expect: 'EPERM' },
  { name: 'open_tree', nr: [428, 428], args: [0, 0, 0], expect: 'EPERM' },
  { name: 'move_mount', nr: [429, 429], args: [0, 0, 0, 0, 0], expect: 'EPERM' },
  { name: 'personality', nr: [135, 92], args: [ADDR_NO_RANDOMIZE], expect: 'EPERM' },
  { name: 'bpf', nr: [321, 280], args: [0, 0, 0], expect: 'EPERM' },
  { name: 'perf_event_open', nr: [298, 241], args: [0, 0, -1, -1, 0], expect: 'EPERM' },
  { name: 'userfaultfd', nr: [323, 282], args: [0], expect: 'EPERM' },
  { name: 'io_uring_setup', nr: [425, 425], args: [1, 0], expect: 'EPERM' },
  { name: 'keyctl', nr: [250, 219], args: [0, 0, 0, 0, 0], expect: 'EPERM' },
  { name: 'add_key', nr: [248, 217], args: [0, 0, 0, 0, 0], expect: 'EPERM' },
  { name: 'request_key', nr: [249, 218], args: [0, 0, 0, 0], expect: 'EPERM' },
  { name: 'kexec_load', nr: [246, 104], args: [0, 0, 0, 0], expect: 'EPERM' },
  { name: 'init_module', nr: [175, 105], args: [0, 0, 0], expect: 'EPERM' },
  { name: 'finit_module', nr: [313, 273], args: [0, 0, 0], expect: 'EPERM' },
  { name: 'delete_module', nr: [176, 106], args: [0, 0], expect: 'EPERM' },
  { name: 'process_vm_readv', nr: [310, 270], args: [1, 0, 0, 0, 0, 0], expect: 'EPERM' },
  { name: 'process_vm_writev', nr: [311, 271], args: [1, 0, 0, 0, 0, 0], expect: 'EPERM' },
  { name: 'pidfd_getfd', nr: [438, 438], args: [0, 0, 0], expect: 'EPERM' },
  { name: 'kcmp', nr: [312, 272], args: [1, 1, 0, 0, 0], expect: 'EPERM' },
  { name: 'open_by_handle_at', nr: [304, 265], args: [0, 0, 0], expect: 'EPERM' },
  { name: 'name_to_handle_at', nr: [303, 264], args: [0, 0, 0, 0, 0], expect: 'EPERM' },
  { name: 'fanotify_init', nr: [300, 262], args: [0, 0], expect: 'EPERM' },
  { name: 'syslog', nr: [103, 116], args: [3, 0, 0], expect: 'EPERM' },
  { name: 'acct', nr: [163, 89], args: [0], expect: 'EPERM' },
  { name: 'swapon', nr: [167, 224], args: [0, 0], expect: 'EPERM' },
  { name: 'quotactl', nr: [179, 60], args: [0, 0, 0, 0], expect: 'EPERM' },
  { name: 'lookup_dcookie', nr: [212, 18], args: [0, 0, 0], expect: 'EPERM' },
  { name: 'reboot', nr: [169, 142], args: [0, 0, 0, 0], expect: 'EPERM' },
  { name: 'settimeofday', nr: [164, 170], args: [0, 0], expect: 'EPERM' },
  { name: 'clock_settime', nr: [227, 112], args: [0, 0], expect: 'EPERM' },
  { name: 'sethostname', nr: [170, 161], args: [0, 0], expect: 'EPERM' },
  { name: 'modify_ldt', nr: [154, null], args: [0, 0, 0], expect: 'EPERM' },
  { name: 'iopl', nr: [172, null], args: [3], expect: 'EPERM' },
  { name: 'ioctl-TIOCSTI', nr: [16, 29], args: [0, TIOCSTI, 0], expect: 'EPERM' },
];

/** The Python program: one line `name ERRNO` per call of this architecture (`name OK` if it succeeded). */
export function kernelCallsProgram(arch: string = process.arch): string {
  const col = arch === 'arm64' ? 1 : 0;
  const calls = KERNEL_CALLS.filter((c) => c.nr[col] !== null).map((c) => [c.name, c.nr[col], c.args]);
  return [
    'import ctypes, errno, os',
    'libc = ctypes.CDLL(None, use_errno=True)',
    'libc.syscall.restype = ctypes.c_long',
    `for name, nr, args in ${JSON.stringify(calls)}:`,
    '    ctypes.set_errno(0)',
    '    r = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) for a in args])',
    '    if r == 0 and name == "clone-newuser": os._exit(0)  # the child of a clone that should not have happened',
    '    print(name, errno.errorcode.get(ctypes.get_errno(), "OK") if r == -1 else "OK")',
  ].join('\n');
}
