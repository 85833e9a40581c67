/**
 * `rampart model`: model integrity from the command line.
 *
 *   rampart model scan <path> [--json out.json] [--sarif out.sarif] [--fail-on suspicious]
 *   rampart model sign <dir> --key signer.pem [--cert-chain chain.pem] [--signature model.sig]
 *   rampart model verify <dir> --key signer.pub | --cert-roots roots.pem | --sigstore trusted_root.json --identity ID --issuer URL
 *   rampart model hash <dir>
 *   rampart model register|list|show|approve|reject ...   (model-registry-command.ts)
 *
 * Offline tools exit 0 on success, 2 when a model fails (malicious or unparseable content, a
 * signature that does not verify), 1 on bad arguments. Progress is drawn on stderr when it is a
 * terminal; results go to stdout.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { RampartError } from '../core/errors.ts';
import { scanModelPath } from '../models/scan/scan-model.ts';
import { toSarif } from '../models/scan/sarif.ts';
import type { ScanReport } from '../models/scan/types.ts';
import { isModelSignatureError } from '../models/signing/errors.ts';
import { hashModel } from '../models/signing/manifest.ts';
import { createProgressReporter, formatBytes } from '../models/signing/progress.ts';
import { signModel } from '../models/signing/sign.ts';
import type { VerificationMethod } from '../models/signing/types.ts';
import { verifyModel } from '../models/signing/verify.ts';
import { registryCommands } from './model-registry-command.ts';

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new RampartError('RAMPART_INVALID_REQUEST', { detail: `${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}` });
  }
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** A signing failure as a CLI line: the code and the message naming the file; exit 2. */
function failed(e: unknown): never {
  if (isModelSignatureError(e)) {
    process.stderr.write(`rampart: ${e.code}: ${e.message}\n`);
    process.exit(2);
  }
  throw e;
}

function printScan(report: ScanReport): void {
  const lines = [`${report.verdict.toUpperCase()}  ${report.target}  (${report.stats.files} files, ${formatBytes(report.stats.scannedBytes)} scanned in ${report.stats.durationMs} ms)`];
  for (const f of report.findings) {
    if (f.severity === 'info') continue;
    const where = f.offset !== undefined ? `${f.file}@${f.offset}` : f.file;
    lines.push(`  ${f.severity.padEnd(10)} ${where}  ${f.rule}${f.callable ? `  ${f.callable}` : ''}\n             ${f.message}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

function scanCommand(): Command {
  return new Command('scan')
    .description('scan model files statically (never loading them); exit 2 on malicious or unparseable content')
    .argument('<path>', 'a model file or directory')
    .option('--json <file>', 'write the full report as JSON ("-" for stdout)')
    .option('--sarif <file>', 'write SARIF 2.1.0 for code-scanning tools')
    .addOption(new Option('--fail-on <verdict>', 'also fail on suspicious findings').choices(['malicious', 'suspicious']).default('malicious'))
    .action(async (path: string, o: { json?: string; sarif?: string; failOn: 'malicious' | 'suspicious' }) => {
      const progress = createProgressReporter(process.stderr, { label: 'scanning' });
      const report = await scanModelPath(path, { onProgress: (p) => progress.onProgress({ bytesHashed: p.bytes, totalBytes: p.totalBytes, filesHashed: p.files, totalFiles: 0 }) });
      progress.finish();
      if (o.json === '-') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else {
        if (o.json) writeFileSync(o.json, `${JSON.stringify(report, null, 2)}\n`);
        printScan(report);
      }
      if (o.sarif) writeFileSync(o.sarif, `${JSON.stringify(toSarif(report), null, 2)}\n`);
      const fail = report.verdict === 'malicious' || report.verdict === 'error' || (o.failOn === 'suspicious' && report.verdict === 'suspicious');
      if (fail) process.exitCode = 2;
    });
}

function signCommand(): Command {
  return new Command('sign')
    .description('sign a model (OpenSSF model signing v1.0: Sigstore bundle, DSSE, in-toto) with an EC key')
    .argument('<path>', 'the model directory or file')
    .requiredOption('--key <pem>', 'EC private key (P-256, P-384, P-521), PEM')
    .option('--cert-chain <pem>', 'signing certificate, then intermediates (PEM; repeatable)', collect)
    .option('--signature <file>', 'where to write the signature (default <model>/model.sig)')
    .option('--ignore <path>', 'leave this path out (repeatable)', collect)
    .option('--allow-symlinks', 'hash symbolic links as the files they point to')
    .action(async (path: string, o: { key: string; certChain?: string[]; signature?: string; ignore?: string[]; allowSymlinks?: boolean }) => {
      const progress = createProgressReporter(process.stderr, { label: 'signing' });
      const r = await signModel({
        modelPath: path,
        privateKeyPem: readText(o.key, '--key'),
        ...(o.certChain ? { certificateChainPem: o.certChain.map((c) => readText(c, '--cert-chain')) } : {}),
        ...(o.signature ? { signaturePath: o.signature } : {}),
        ...(o.ignore ? { ignorePaths: o.ignore } : {}),
        ...(o.allowSymlinks ? { allowSymlinks: true } : {}),
        onProgress: progress.onProgress,
      }).catch(failed);
      progress.finish();
      process.stdout.write(`signed ${r.files} files (${formatBytes(r.bytes)}), root digest sha256:${r.rootDigest}\nsignature: ${r.signaturePath}\n`);
    });
}

function verifyCommand(): Command {
  return new Command('verify')
    .description('verify a model signature; exit 2 naming the file when anything differs')
    .argument('<path>', 'the model directory or file')
    .option('--key <pem>', 'the signer\'s EC public key (PEM)')
    .option('--cert-roots <pem>', 'trusted CA certificates the signing chain must lead to (PEM)')
    .option('--sigstore <trusted_root.json>', 'verify a Sigstore keyless bundle offline against this trust root')
    .option('--identity <identity>', 'with --sigstore: the signer identity (certificate SAN)')
    .option('--issuer <url>', 'with --sigstore: the OIDC issuer of that identity')
    .option('--signature <file>', 'the signature (default <model>/model.sig)')
    .option('--ignore <path>', 'leave this path out too (repeatable)', collect)
    .option('--allow-symlinks', 'follow symbolic links')
    .option('--json', 'print the verified manifest as JSON')
    .action(async (path: string, o: { key?: string; certRoots?: string; sigstore?: string; identity?: string; issuer?: string; signature?: string; ignore?: string[]; allowSymlinks?: boolean; json?: boolean }) => {
      const given = [o.key, o.certRoots, o.sigstore].filter((v) => v !== undefined).length;
      if (given !== 1) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: 'give exactly one of --key, --cert-roots and --sigstore' });
      let method: VerificationMethod;
      if (o.key) method = { kind: 'key', publicKeyPem: readText(o.key, '--key') };
      else if (o.certRoots) method = { kind: 'certificate', trustedRootsPem: [readText(o.certRoots, '--cert-roots')] };
      else {
        if (!o.identity || !o.issuer) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: '--sigstore needs --identity and --issuer' });
        method = { kind: 'sigstore', trustedRootPath: o.sigstore!, identity: o.identity, issuer: o.issuer };
      }
      const progress = createProgressReporter(process.stderr, { label: 'verifying' });
      const v = await verifyModel({
        modelPath: path,
        method,
        ...(o.signature ? { signaturePath: o.signature } : {}),
        ...(o.ignore ? { ignorePaths: o.ignore } : {}),
        ...(o.allowSymlinks ? { allowSymlinks: true } : {}),
        onProgress: progress.onProgress,
      }).catch(failed);
      progress.finish();
      if (o.json) process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
      else {
        const who = [v.signer.subject, v.signer.issuer && `issuer ${v.signer.issuer}`, v.signer.keyId && `key ${v.signer.keyId.slice(0, 16)}…`].filter(Boolean).join(', ');
        process.stdout.write(`VERIFIED  ${path}: ${v.files.length} files, root digest sha256:${v.rootDigest}\n  signer: ${v.signer.kind}${who ? ` (${who})` : ''}\n`);
      }
    });
}

function hashCommand(): Command {
  return new Command('hash')
    .description('print the model\'s root digest (what signatures and the registry name it by)')
    .argument('<path>', 'the model directory or file')
    .option('--json', 'print every file digest as JSON')
    .action(async (path: string, o: { json?: boolean }) => {
      const progress = createProgressReporter(process.stderr);
      const m = await hashModel({ modelPath: path, onProgress: progress.onProgress }).catch(failed);
      progress.finish();
      if (o.json) process.stdout.write(`${JSON.stringify({ rootDigest: `sha256:${m.rootDigest}`, files: m.files, bytes: m.bytes }, null, 2)}\n`);
      else process.stdout.write(`sha256:${m.rootDigest}  ${path}  (${m.files.length} files, ${formatBytes(m.bytes)})\n`);
    });
}

export function modelCommand(configOption: () => Option): Command {
  const model = new Command('model').description('model integrity: scan, sign, verify, and the model registry behind the deploy gate');
  for (const c of [scanCommand(), signCommand(), verifyCommand(), hashCommand(), ...registryCommands(configOption)]) model.addCommand(c);
  return model;
}
