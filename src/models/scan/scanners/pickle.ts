/**
 * Python pickles, protocols 0 to 5, on their own or concatenated, whatever the file is called
 * (`.pkl`, `.bin`, `.pt`, `.txt`). The opcode-level analysis lives in ../pickle/.
 */
import { scanPickleFile, sniffPickle } from '../pickle/run.ts';
import type { ScannerDescriptor } from '../scanner.ts';
import { scanLegacyRecords } from './pytorch.ts';

export const pickleScanner: ScannerDescriptor = {
  id: 'pickle',
  version: '1.0.0',
  description: 'Python pickle streams (protocols 0-5): every global against an allow-list, computed callables, memo-fed STACK_GLOBAL, truncation.',
  sniff: sniffPickle,
  async scan(input, ctx) {
    if (ctx.hints.torchLegacy) return scanLegacyRecords(input.reader, ctx, ctx.hints.torchLegacy);
    await scanPickleFile(input.reader, ctx, ctx.hints.torch === true);
  },
};
