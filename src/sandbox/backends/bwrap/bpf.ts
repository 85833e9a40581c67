/**
 * A tiny assembler for classic BPF (cBPF) as seccomp runs it (linux/filter.h, linux/seccomp.h).
 *
 * Why by hand: there is no maintained pure-JS libseccomp, and a native binding or a compiled
 * helper would be one more thing to build and trust in CI. The filter Rampart needs is small and
 * regular (a few dozen "syscall number equals K" tests and four argument checks), so it is
 * emitted here instruction by instruction, with the checks the kernel itself applies at load
 * time (length, jump range) done up front. The result is the raw `struct sock_filter` array that
 * `bwrap --seccomp FD` reads and passes to prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER).
 */

// linux/bpf_common.h
const BPF_LD = 0x00;
const BPF_JMP = 0x05;
const BPF_RET = 0x06;
const BPF_W = 0x00;
const BPF_ABS = 0x20;
const BPF_JEQ = 0x10;
const BPF_JSET = 0x40;
const BPF_JGE = 0x30;
const BPF_K = 0x00;

// linux/seccomp.h: return values; the low 16 bits of SECCOMP_RET_ERRNO carry the errno.
export const SECCOMP_RET_KILL_PROCESS = 0x80000000;
export const SECCOMP_RET_ERRNO = 0x00050000;
export const SECCOMP_RET_ALLOW = 0x7fff0000;

/** struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]. */
export const SECCOMP_DATA = {
  nr: 0,
  arch: 4,
  /** The low 32 bits of argument `i` on a little-endian machine (x86_64 and aarch64 are). */
  argLow: (i: number): number => 16 + 8 * i,
} as const;

/** The kernel refuses longer programs (BPF_MAXINSNS). */
const MAX_INSTRUCTIONS = 4096;

export interface Instruction {
  readonly code: number;
  readonly jt: number;
  readonly jf: number;
  readonly k: number;
}

const insn = (code: number, jt: number, jf: number, k: number): Instruction => ({ code, jt, jf, k: k >>> 0 });

/** A = the 32-bit word at `offset` of struct seccomp_data. */
export const loadWord = (offset: number): Instruction => insn(BPF_LD | BPF_W | BPF_ABS, 0, 0, offset);
/** Return `value` (a SECCOMP_RET_* action). */
export const ret = (value: number): Instruction => insn(BPF_RET | BPF_K, 0, 0, value);
/** if (A == k) skip `jt` instructions else skip `jf`. */
export const jumpIfEqual = (k: number, jt: number, jf: number): Instruction => insn(BPF_JMP | BPF_JEQ | BPF_K, jt, jf, k);
/** if (A & k) skip `jt` else skip `jf`. */
export const jumpIfAnyBit = (k: number, jt: number, jf: number): Instruction => insn(BPF_JMP | BPF_JSET | BPF_K, jt, jf, k);
/** if (A >= k) skip `jt` else skip `jf` (unsigned). */
export const jumpIfAtLeast = (k: number, jt: number, jf: number): Instruction => insn(BPF_JMP | BPF_JGE | BPF_K, jt, jf, k);

/** The errno action for `errno`. */
export const retErrno = (errno: number): Instruction => ret(SECCOMP_RET_ERRNO | (errno & 0xffff));

/**
 * Encodes a program as the kernel's `struct sock_filter[]` (u16 code, u8 jt, u8 jf, u32 k, native
 * byte order, which is little-endian on every architecture this backend supports).
 */
export function encode(program: readonly Instruction[]): Buffer {
  if (program.length === 0 || program.length > MAX_INSTRUCTIONS) throw new Error(`seccomp program length ${program.length} is out of range`);
  const out = Buffer.alloc(program.length * 8);
  program.forEach((p, i) => {
    if (p.jt > 255 || p.jf > 255 || p.jt < 0 || p.jf < 0) throw new Error(`seccomp instruction ${i}: jump out of range`);
    // A jump must land inside the program (the kernel's sk_chk_filter checks the same).
    if ((p.code & 0x07) === BPF_JMP && i + 1 + Math.max(p.jt, p.jf) >= program.length) {
      throw new Error(`seccomp instruction ${i}: jump past the end`);
    }
    out.writeUInt16LE(p.code, i * 8);
    out.writeUInt8(p.jt, i * 8 + 2);
    out.writeUInt8(p.jf, i * 8 + 3);
    out.writeUInt32LE(p.k, i * 8 + 4);
  });
  const last = program[program.length - 1]!;
  if ((last.code & 0x07) !== BPF_RET) throw new Error('seccomp program must end with a return');
  return out;
}

/** Decodes an encoded program (tests, and a sanity check of what is handed to bwrap). */
export function decode(buf: Uint8Array): Instruction[] {
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Instruction[] = [];
  for (let i = 0; i + 8 <= view.length; i += 8) out.push(insn(view.readUInt16LE(i), view.readUInt8(i + 2), view.readUInt8(i + 3), view.readUInt32LE(i + 4)));
  return out;
}

/**
 * Runs a program on one struct seccomp_data, as the kernel would: returns the action. Only the
 * instructions this assembler emits are understood. Used by the tests to check the policy table
 * for an architecture this machine does not have.
 */
export function evaluate(program: readonly Instruction[], data: { nr: number; arch: number; args?: readonly number[] }): number {
  const word = (offset: number): number => {
    if (offset === SECCOMP_DATA.nr) return data.nr >>> 0;
    if (offset === SECCOMP_DATA.arch) return data.arch >>> 0;
    const i = (offset - 16) / 8;
    return Number.isInteger(i) && i >= 0 && i < 6 ? (data.args?.[i] ?? 0) >>> 0 : 0;
  };
  let a = 0;
  for (let pc = 0; pc < program.length; pc++) {
    const p = program[pc]!;
    switch (p.code) {
      case BPF_LD | BPF_W | BPF_ABS:
        a = word(p.k);
        break;
      case BPF_RET | BPF_K:
        return p.k;
      case BPF_JMP | BPF_JEQ | BPF_K:
        pc += a === p.k ? p.jt : p.jf;
        break;
      case BPF_JMP | BPF_JSET | BPF_K:
        pc += (a & p.k) >>> 0 !== 0 ? p.jt : p.jf;
        break;
      case BPF_JMP | BPF_JGE | BPF_K:
        pc += a >= p.k ? p.jt : p.jf;
        break;
      default:
        throw new Error(`unsupported instruction 0x${p.code.toString(16)} at ${pc}`);
    }
  }
  throw new Error('program fell off the end');
}
