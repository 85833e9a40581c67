/**
 * Builds the model fixtures once per test process with test/fixtures/models/make-fixtures.py
 * (python3 standard library; nothing is ever unpickled) and scans the whole tree once.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanModelPath, type ScanReport } from '../../../src/models/scan/scan-model.ts';
import type { Finding, ScannedFile } from '../../../src/models/scan/types.ts';

const SCRIPT = join(import.meta.dirname, '..', '..', 'fixtures', 'models', 'make-fixtures.py');

let built: string | null | undefined;
let whole: Promise<ScanReport> | undefined;

/** Why the fixture tests are skipped, or false when python3 is there. */
export const skipReason: string | false = spawnSync('python3', ['--version']).status === 0 ? false : 'python3 is not installed: the model fixtures cannot be generated';

export function fixturesDir(): string {
  if (built === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-model-fixtures-'));
    const r = spawnSync('python3', [SCRIPT, dir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`make-fixtures.py failed: ${r.stderr}`);
    built = dir;
  }
  return built!;
}

/** The report of one scan over the whole fixture tree (shared by the table tests). */
export function fixtureReport(): Promise<ScanReport> {
  whole ??= scanModelPath(fixturesDir());
  return whole;
}

export async function fileOf(path: string): Promise<{ file: ScannedFile | undefined; findings: Finding[] }> {
  const r = await fixtureReport();
  return { file: r.files.find((f) => f.path === path), findings: r.findings.filter((f) => f.file === path || f.file.startsWith(`${path}!`)) };
}
