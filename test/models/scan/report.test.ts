/**
 * The report's outer shape: SARIF 2.1.0 output, `rampart model scan` run as a user runs it (exit
 * codes, JSON and SARIF files), option checking, the scanner registry, and the rule catalog that SARIF and the docs are built from.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isRampartError } from '../../../src/core/errors.ts';
import { ScannerRegistry } from '../../../src/models/scan/registry.ts';
import { RULES } from '../../../src/models/scan/rules.ts';
import { toSarif } from '../../../src/models/scan/sarif.ts';
import { scanModelPath } from '../../../src/models/scan/scan-model.ts';
import { SCANNERS } from '../../../src/models/scan/scanners/index.ts';
import { fixtureReport, fixturesDir, skipReason } from './fixtures.ts';

function tempFile(name: string, bytes: Buffer | string): string {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-scan-test-'));
  writeFileSync(join(dir, name), bytes);
  return join(dir, name);
}

/** Runs the real `rampart model scan` (bin/rampart.js) as a user would. */
function runCli(args: string[]): { out: string; err: string; code: number } {
  const r = spawnSync(process.execPath, ['bin/rampart.js', 'model', 'scan', ...args], { encoding: 'utf8' });
  return { out: r.stdout, err: r.stderr, code: r.status ?? -1 };
}

describe('SARIF', () => {
  it('has one rule per rule id, a result per finding with a byte region, and nested artifacts', { skip: skipReason }, async () => {
    const report = await fixtureReport();
    const sarif = toSarif(report) as { version: string; runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; ruleIndex: number; level: string; locations: { physicalLocation: { artifactLocation: { uri: string; index: number }; region?: { byteOffset: number } } }[] }[]; artifacts: { location: { uri: string }; parentIndex?: number }[] }[] };
    assert.equal(sarif.version, '2.1.0');
    const run = sarif.runs[0]!;
    const ids = run.tool.driver.rules.map((r) => r.id);
    assert.deepEqual(ids, [...new Set(report.findings.map((f) => f.rule))].sort());
    assert.equal(run.results.length, report.findings.length);
    for (const r of run.results) assert.equal(ids[r.ruleIndex], r.ruleId);
    const slip = run.results.find((r) => r.ruleId === 'pickle.dangerous-global' && r.locations[0]!.physicalLocation.artifactLocation.uri === 'evil.pkl');
    assert.ok(slip, 'a finding inside zip/nested.zip!inner.zip!evil.pkl');
    const art = run.artifacts[slip.locations[0]!.physicalLocation.artifactLocation.index]!;
    assert.equal(run.artifacts[art.parentIndex!]!.location.uri, 'inner.zip');
    assert.equal(typeof slip.locations[0]!.physicalLocation.region?.byteOffset, 'number');
    assert.equal(slip.level, 'error');
  });
});

describe('rampart model scan', () => {
  it('exits 2 on malicious content and writes JSON and SARIF', () => {
    const evil = tempFile('model.bin', Buffer.from("cos\nsystem\n(S'id'\ntR.", 'latin1'));
    const json = `${evil}.json`;
    const sarif = `${evil}.sarif`;
    const r = runCli([evil, '--json', json, '--sarif', sarif]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.out, /MALICIOUS/);
    assert.equal(JSON.parse(readFileSync(json, 'utf8')).findings[0].callable, 'os.system');
    assert.equal(JSON.parse(readFileSync(sarif, 'utf8')).runs[0].results[0].ruleId, 'pickle.dangerous-global');
  });

  it('exits 2 on unparseable content and 0 on clean content', () => {
    assert.equal(runCli([tempFile('model.pt', Buffer.from([0x80, 0x04, 0x95, 1, 2]))]).code, 2);
    assert.equal(runCli([tempFile('config.json', '{"a": 1}')]).code, 0);
  });

  it('fails on suspicious content only when asked', () => {
    const sus = tempFile('m.pkl', Buffer.from('\x80\x02cmypkg\nThing\n)R.', 'latin1'));
    assert.equal(runCli([sus]).code, 0);
    assert.equal(runCli([sus, '--fail-on', 'suspicious']).code, 2);
  });

  it('prints JSON on stdout with --json -', () => {
    const r = runCli([tempFile('a.txt', 'hello\n'), '--json', '-']);
    assert.equal(JSON.parse(r.out).verdict, 'clean');
  });
});

describe('scan options and registry', () => {
  it('rejects invalid limits with a coded error, before scanning', async () => {
    await assert.rejects(scanModelPath('.', { limits: { maxDepth: 0 } }), (e) => isRampartError(e) && e.code === 'RAMPART_INVALID_REQUEST');
  });

  it('fails with RAMPART_NOT_FOUND on a missing path', async () => {
    await assert.rejects(scanModelPath('/nonexistent/model.pt'), (e) => isRampartError(e) && e.code === 'RAMPART_NOT_FOUND');
  });

  it('refuses two scanners with one id', () => {
    assert.throws(() => new ScannerRegistry([SCANNERS[0]!, SCANNERS[0]!]), /share the id/);
  });

  it('stops at maxDepth', { skip: skipReason }, async () => {
    const r = await scanModelPath(join(fixturesDir(), 'zip', 'nested.zip'), { limits: { maxDepth: 1 } });
    assert.ok(r.findings.some((f) => f.rule === 'scan.depth-limit'));
    assert.equal(r.verdict, 'error');
  });

  it('reports progress up to the total', { skip: skipReason }, async () => {
    const seen: { bytes: number; files: number; totalBytes: number }[] = [];
    await scanModelPath(join(fixturesDir(), 'pickle'), { onProgress: (p) => seen.push(p) });
    const last = seen[seen.length - 1]!;
    assert.equal(last.bytes, last.totalBytes);
    assert.ok(last.files > 10);
  });

  it('does not mutate the caller options', async () => {
    const limits = Object.freeze({ maxDepth: 3 });
    await scanModelPath(tempFile('a.txt', 'x\n'), { limits });
    assert.deepEqual(limits, { maxDepth: 3 });
  });
});

describe('rule catalog', () => {
  it('knows every rule the fixtures produce', { skip: skipReason }, async () => {
    const report = await fixtureReport();
    assert.deepEqual([...new Set(report.findings.map((f) => f.rule))].filter((id) => !(id in RULES)), []);
  });

  it('is documented in docs/model-scanning.md', () => {
    const doc = readFileSync('docs/model-scanning.md', 'utf8');
    assert.deepEqual(Object.keys(RULES).filter((id) => !doc.includes(`\`${id}\``)), []);
  });

  it('severity of every finding matches its catalog severity or a documented escalation', { skip: skipReason }, async () => {
    const report = await fixtureReport();
    const odd = report.findings.filter((f) => RULES[f.rule] && RULES[f.rule]!.severity !== f.severity && !['tar.link-entry', 'zip.path-traversal', 'tar.path-traversal', 'pickle.dangerous-global'].includes(f.rule));
    assert.deepEqual(odd.map((f) => `${f.rule}:${f.severity}`), []);
  });
});
