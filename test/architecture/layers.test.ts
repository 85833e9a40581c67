/**
 * DESIGN.md's dependency rule, checked: core <- config, store <- domain folders <- gateway, admin,
 * server <- cli; no import cycles; all upstream egress through the one HTTP helper.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, it } from 'node:test';

const SRC = 'src';
const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));

function imports(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
    const spec = m[1] ?? m[2]!;
    out.push(relative(SRC, normalize(join(SRC, dirname(file), spec))));
  }
  return out;
}

const layerOf = (file: string) => file.split('/')[0]!;
const DOMAIN = ['identity', 'policy', 'guard', 'models', 'data', 'sandbox', 'monitor', 'incidents', 'posture', 'redteam'];
/** Which top folders each folder may import from (besides itself). */
const ALLOWED: Record<string, string[]> = {
  core: [],
  config: ['core'],
  store: ['core', 'config'],
  ...Object.fromEntries(DOMAIN.map((d) => [d, ['core', 'config', 'store', ...DOMAIN]])),
  gateway: ['core', 'config', 'store', ...DOMAIN],
  admin: ['core', 'config', 'store', ...DOMAIN, 'gateway'],
  server: ['core', 'config', 'store', ...DOMAIN, 'gateway', 'admin'],
  cli: ['core', 'config', 'store', ...DOMAIN, 'gateway', 'admin', 'server'],
};

describe('architecture', () => {
  it('every import follows the layer rule', () => {
    const bad: string[] = [];
    for (const f of files) {
      const from = layerOf(f);
      for (const target of imports(f)) {
        const to = layerOf(target);
        if (to !== from && !(ALLOWED[from] ?? []).includes(to)) bad.push(`${f} -> ${target}`);
      }
    }
    assert.deepEqual(bad, []);
  });

  it('has no import cycles', () => {
    const graph = new Map(files.map((f) => [f, imports(f).filter((t) => files.includes(t))]));
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]) => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(f)), f].join(' -> '));
        return;
      }
      state.set(f, 'visiting');
      for (const t of graph.get(f) ?? []) visit(t, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of files) visit(f, []);
    assert.deepEqual(cycles, []);
  });

  it('library code never prints or exits; only the CLI does', () => {
    const bad = files.filter((f) => !f.startsWith('cli/') && /\bconsole\.(log|error|warn|info|debug|trace)\(|process\.exit\(/.test(readFileSync(join(SRC, f), 'utf8')));
    assert.deepEqual(bad, []);
  });

  it('raw fetch is used only by the IdP helper and the CLI admin client', () => {
    const allowed = new Set(['identity/idp-fetch.ts', 'cli/admin-client.ts']);
    const bad = files.filter((f) => !allowed.has(f) && /(^|[^.\w])fetch\(/m.test(readFileSync(join(SRC, f), 'utf8')));
    assert.deepEqual(bad, []);
  });
});
