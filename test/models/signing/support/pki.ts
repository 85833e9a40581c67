/**
 * A throwaway PKI made with the `openssl` CLI (`openssl ca`, which can set any validity window),
 * so certificate tests use certificates the way real tools make them. Keys come from node:crypto.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function opensslMissing(): string | false {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return false;
  } catch {
    return 'the openssl CLI is not installed';
  }
}

/** Extension profiles, as openssl config sections. */
const PROFILES: Record<string, string> = {
  root: 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always',
  intermediate: 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always',
  intermediateNoPathLen: 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always',
  notCa: 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyCertSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always',
  leaf: 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always',
  leafServerAuth: 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always',
  leafNoDigitalSignature: 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,keyEncipherment\nextendedKeyUsage=codeSigning\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always',
  leafUnknownCritical: 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n1.3.6.1.4.1.99999.1=critical,ASN1:NULL\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always',
};

export interface Issued {
  readonly name: string;
  readonly certPem: string;
  readonly der: Buffer;
  readonly keyPem: string;
}

export interface IssueOptions {
  /** Signer; omitted = self-signed. */
  issuer?: Issued;
  profile?: keyof typeof PROFILES | string;
  /** Raw extension lines replacing the profile (for Fulcio-like certificates). */
  extensions?: string;
  /** openssl `-startdate`/`-enddate` form, e.g. 20200101000000Z. Default: a day ago to ten years on. */
  notBefore?: string;
  notAfter?: string;
  curve?: 'P-256' | 'P-384';
  /** Reuse a key (PKCS#8 PEM). */
  keyPem?: string;
  /** Subject DN in openssl form; default /CN=<name>. */
  subject?: string;
  /** Serial number (hex); default: the next one. */
  serial?: string;
}

export function opensslDate(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
}

export class TestPki {
  readonly dir: string;
  private nextSerial = 0x1000;

  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(join(dir, 'newcerts'), { recursive: true });
    writeFileSync(join(dir, 'index.txt'), '');
  }

  issue(name: string, opts: IssueOptions = {}): Issued {
    const keyPem = opts.keyPem ?? generateKeyPairSync('ec', { namedCurve: opts.curve ?? 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const keyPath = join(this.dir, `${name}.key`);
    writeFileSync(keyPath, keyPem);
    const csr = join(this.dir, `${name}.csr`);
    const cfg = join(this.dir, `${name}.cnf`);
    const certPath = join(this.dir, `${name}.pem`);
    const serial = opts.serial ?? (this.nextSerial++).toString(16);
    writeFileSync(join(this.dir, 'serial'), `${serial.length % 2 ? '0' : ''}${serial}\n`);
    writeFileSync(join(this.dir, 'index.txt'), '');
    const ext = opts.extensions ?? PROFILES[opts.profile ?? 'leaf'];
    if (!ext) throw new Error(`unknown profile ${opts.profile}`);
    writeFileSync(
      cfg,
      [
        '[ca]\ndefault_ca=CA_default',
        `[CA_default]\ndatabase=${join(this.dir, 'index.txt')}\nnew_certs_dir=${join(this.dir, 'newcerts')}\nserial=${join(this.dir, 'serial')}`,
        'default_md=sha256\npolicy=policy_any\nunique_subject=no\ncopy_extensions=none\nemail_in_dn=no\npreserve=yes',
        '[policy_any]\ncommonName=optional\norganizationName=optional',
        '[req]\ndistinguished_name=dn\n[dn]',
        `[ext]\n${ext}`,
      ].join('\n'),
    );
    execFileSync('openssl', ['req', '-new', '-key', keyPath, '-subj', opts.subject ?? `/CN=${name}`, '-out', csr, '-config', cfg], { stdio: 'pipe' });
    const day = 86_400_000;
    const args = [
      'ca', '-batch', '-notext', '-config', cfg, '-in', csr, '-out', certPath, '-extensions', 'ext',
      '-startdate', opts.notBefore ?? opensslDate(new Date(Date.now() - day)),
      '-enddate', opts.notAfter ?? opensslDate(new Date(Date.now() + 3650 * day)),
    ];
    if (opts.issuer) args.push('-cert', join(this.dir, `${opts.issuer.name}.pem`), '-keyfile', join(this.dir, `${opts.issuer.name}.key`));
    else args.push('-selfsign', '-keyfile', keyPath);
    execFileSync('openssl', args, { stdio: 'pipe' });
    const certPem = readFileSync(certPath, 'utf8');
    const der = execFileSync('openssl', ['x509', '-in', certPath, '-outform', 'DER']);
    return { name, certPem, der, keyPem };
  }
}
