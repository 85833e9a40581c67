/**
 * SARIF 2.1.0 (OASIS, sarif-v2.1.0-os) for code-scanning dashboards: one `reportingDescriptor`
 * per rule id, one result per finding with its level (malicious and error fail: `error`;
 * suspicious: `warning`; info: `note`) and a physical location. A finding inside a container
 * entry (`model.pt!archive/data.pkl`) points at a nested artifact (§3.24.3 `parentIndex`) whose
 * byte region is relative to the entry's own bytes.
 *
 * @example
 * writeFileSync('model-scan.sarif', JSON.stringify(toSarif(await scanModelPath('models/'))));
 */
import { RULES } from './rules.ts';
import type { Finding, ScanReport, Severity } from './types.ts';

const LEVEL: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = { malicious: 'error', error: 'error', suspicious: 'warning', info: 'note' };
const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const TOOL_VERSION = '1.0.0';

interface Artifact {
  location: { uri: string };
  parentIndex?: number;
  hashes?: { 'sha-256': string };
}

function encodeUri(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

export function toSarif(report: ScanReport): Record<string, unknown> {
  const artifacts: Artifact[] = [];
  const index = new Map<string, number>();
  const hashes = new Map(report.files.map((f) => [f.path, f.sha256]));
  const artifactOf = (path: string): number => {
    const known = index.get(path);
    if (known !== undefined) return known;
    const cut = path.lastIndexOf('!');
    const parent = cut >= 0 ? artifactOf(path.slice(0, cut)) : undefined;
    const a: Artifact = { location: { uri: encodeUri(cut >= 0 ? path.slice(cut + 1) : path) } };
    if (parent !== undefined) a.parentIndex = parent;
    const h = hashes.get(path);
    if (h) a.hashes = { 'sha-256': h };
    artifacts.push(a);
    index.set(path, artifacts.length - 1);
    return artifacts.length - 1;
  };

  const ruleIds = [...new Set(report.findings.map((f) => f.rule))].sort();
  const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));
  const rules = ruleIds.map((id) => {
    const info = RULES[id];
    return {
      id,
      name: id.replace(/[.-](\w)/g, (_m, c: string) => c.toUpperCase()),
      shortDescription: { text: info?.title ?? id },
      defaultConfiguration: { level: LEVEL[info?.severity ?? 'error'] },
      properties: { tags: ['security', 'model-scanning'], severity: info?.severity ?? 'error' },
    };
  });

  const result = (f: Finding) => {
    const artifactIndex = artifactOf(f.file);
    const nested = f.file.includes('!');
    return {
      ruleId: f.rule,
      ruleIndex: ruleIndex.get(f.rule),
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: nested ? artifacts[artifactIndex]!.location.uri : encodeUri(f.file), index: artifactIndex },
            ...(f.offset !== undefined ? { region: { byteOffset: f.offset, byteLength: 1 } } : {}),
          },
          ...(nested ? { logicalLocations: [{ fullyQualifiedName: f.file, kind: 'module' }] } : {}),
        },
      ],
      properties: { severity: f.severity, format: f.format, ...(f.callable ? { callable: f.callable } : {}), file: f.file },
    };
  };
  const results = report.findings.map(result);
  for (const f of report.files) artifactOf(f.path);

  return {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'rampart-model-scan', semanticVersion: TOOL_VERSION, rules } },
        artifacts,
        results,
        properties: { target: report.target, verdict: report.verdict, stats: report.stats },
      },
    ],
  };
}
