/**
 * gzip streams (RFC 1952): `.tar.gz` model bundles (TF Hub), gzip-compressed joblib files, or any
 * gzipped file. Decompressed with node:zlib under the bomb limits and scanned as a nested file.
 */
import { createGunzip } from 'node:zlib';
import { scanDecompressed } from '../analysis/decompress.ts';
import type { ScannerDescriptor } from '../scanner.ts';

export function innerName(name: string): string {
  if (/\.tgz$/i.test(name)) return name.replace(/\.tgz$/i, '.tar');
  if (/\.gz$/i.test(name)) return name.replace(/\.gz$/i, '');
  return '(gunzip)';
}

export const gzipScanner: ScannerDescriptor = {
  id: 'gzip',
  version: '1.0.0',
  description: 'gzip streams: decompressed under the bomb limits, content scanned as a nested file.',
  // RFC 1952 §2.3.1: ID1 0x1f, ID2 0x8b, CM 8 (deflate); reserved flag bits clear.
  sniff: (head) => head.length >= 10 && head[0] === 0x1f && head[1] === 0x8b && head[2] === 8 && (head[3]! & 0xe0) === 0,
  async scan(input, ctx) {
    await scanDecompressed(input, ctx, createGunzip(), innerName(input.name));
  },
};
