/**
 * Turns what the disassembler sees into findings: every global checked against the allow-list,
 * calls of computed callables, STACK_GLOBAL fed by anything but constant strings, BUILD on a
 * module-level object, the extension registry, persistent ids outside PyTorch files. Repeated
 * findings for one callable are merged (first offset, a count) so that a 10 000-tensor checkpoint
 * does not yield 10 000 lines.
 */
import type { FindingInput } from '../scanner.ts';
import { classifyGlobal } from './globals-policy.ts';
import type { PickleObserver } from './machine.ts';
import { K_CALL, K_GLOBAL, preview, qualifiedName, type GlobalSym, type Sym } from './symbolic.ts';

interface Pending {
  finding: FindingInput;
  count: number;
  call?: string;
}

export class PickleFindings implements PickleObserver {
  readonly #pending = new Map<string, Pending>();
  readonly #byGlobal = new Map<GlobalSym, Pending>();
  readonly #torch: boolean;
  #persistentIds = 0;
  #firstPersid = -1;
  globals = 0;

  constructor(torch: boolean) {
    this.#torch = torch;
  }

  #add(key: string, finding: FindingInput): Pending {
    const p = this.#pending.get(key);
    if (p) {
      p.count++;
      return p;
    }
    const n: Pending = { finding, count: 1 };
    this.#pending.set(key, n);
    return n;
  }

  global(g: GlobalSym, opcode: string): void {
    this.globals++;
    const c = classifyGlobal(g.module, g.name);
    if (c === null) return;
    const q = qualifiedName(g);
    const p = this.#add(`${c.rule}|${q}`, {
      severity: c.severity,
      rule: c.rule,
      offset: g.offset,
      callable: q,
      message: `${opcode} at offset ${g.offset} imports ${q}: ${c.why}.`,
    });
    this.#byGlobal.set(g, p);
  }

  call(fn: Sym, args: Sym, offset: number, opcode: string): void {
    if (typeof fn === 'object' && fn !== null) {
      if (fn.t === K_GLOBAL) {
        const p = this.#byGlobal.get(fn);
        if (p && p.call === undefined) p.call = `${opcode} at offset ${offset} calls it with ${preview(args)}`;
        return;
      }
      if (fn.t === K_CALL) {
        this.#add(`pickle.computed-callable|${offset}`, {
          severity: 'malicious',
          rule: 'pickle.computed-callable',
          offset,
          callable: preview(fn),
          message: `${opcode} at offset ${offset} calls the result of ${preview(fn)} (a callable computed at load time, e.g. through getattr) with ${preview(args)}.`,
        });
        return;
      }
    }
    this.#add(`pickle.unusual-callable|${offset}`, {
      severity: 'suspicious',
      rule: 'pickle.unusual-callable',
      offset,
      callable: preview(fn),
      message: `${opcode} at offset ${offset} calls ${preview(fn)}, which is not a global: the loader's persistent_load or a container decides what runs.`,
    });
  }

  build(inst: Sym, _state: Sym, offset: number): void {
    if (typeof inst === 'object' && inst !== null && inst.t === K_GLOBAL) {
      const q = qualifiedName(inst);
      this.#add(`pickle.build-on-global|${q}`, {
        severity: 'malicious',
        rule: 'pickle.build-on-global',
        offset,
        callable: q,
        message: `BUILD at offset ${offset} sets attributes on ${q} itself (a module-level object, not an instance): a way to patch code that runs later.`,
      });
    }
  }

  computedGlobal(module: Sym, name: Sym, offset: number): void {
    const callable = `${preview(module)}.${preview(name)}`;
    this.#add(`pickle.computed-global|${offset}`, {
      severity: 'malicious',
      rule: 'pickle.computed-global',
      offset,
      callable,
      message: `STACK_GLOBAL at offset ${offset} takes its module and name from ${preview(module)} and ${preview(name)}, not from constant strings: the imported callable is computed at load time to evade allow-lists.`,
    });
  }

  extension(code: number, offset: number): void {
    this.#add(`pickle.extension-registry|${code}`, {
      severity: 'suspicious',
      rule: 'pickle.extension-registry',
      offset,
      callable: `extension code ${code}`,
      message: `EXT opcode at offset ${offset} names a global through copyreg's extension registry (code ${code}); what it resolves to depends on the loading process and cannot be checked statically.`,
    });
  }

  persistentId(offset: number): void {
    if (this.#persistentIds++ === 0) this.#firstPersid = offset;
  }

  outOfBand(offset: number): void {
    this.#add('pickle.out-of-band-buffer', {
      severity: 'info',
      rule: 'pickle.out-of-band-buffer',
      offset,
      message: `NEXT_BUFFER at offset ${offset}: the pickle expects out-of-band buffers (protocol 5); pickle.load without buffers= fails on it.`,
    });
  }

  /** Reports everything collected so far and clears it. */
  flush(report: (f: FindingInput) => void): void {
    for (const p of this.#pending.values()) {
      const extra = [p.call ? `${p.call}.` : '', p.count > 1 ? `(${p.count} occurrences)` : ''].filter(Boolean).join(' ');
      report(extra ? { ...p.finding, message: `${p.finding.message} ${extra}` } : p.finding);
    }
    if (this.#persistentIds > 0 && !this.#torch) {
      report({
        severity: 'info',
        rule: 'pickle.persistent-id',
        offset: this.#firstPersid,
        message: `${this.#persistentIds} persistent id(s), first at offset ${this.#firstPersid}: outside a PyTorch checkpoint, only a custom persistent_load gives them meaning.`,
      });
    }
    this.#pending.clear();
    this.#byGlobal.clear();
    this.#persistentIds = 0;
  }
}
