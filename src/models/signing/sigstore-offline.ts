/**
 * Sigstore (keyless) verification, offline, against a `trusted_root.json` the caller provides
 * (the file Sigstore distributes through TUF; see sigstore/protobuf-specs TrustedRoot). Done by
 * @sigstore/verify: the Fulcio certificate must chain to a trusted CA valid at the signing time,
 * carry an SCT from a trusted CT log, and the DSSE signature must be in a trusted Rekor log
 * (signed entry timestamp and/or inclusion proof against a signed checkpoint), with the log's
 * integrated time or an RFC 3161 timestamp from a trusted TSA as the signing time.
 *
 * The identity is compared here, exactly: the certificate's SAN must equal `identity` and its
 * OIDC issuer extension must equal `issuer` (@sigstore/verify's own policy treats the expected
 * identity as a regular expression, which a caller-given string must never be).
 */
import { readFile, stat } from 'node:fs/promises';
import { X509Certificate as NodeX509 } from 'node:crypto';
import { bundleFromJSON } from '@sigstore/bundle';
import type { Bundle } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, VerificationError, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import type { TrustMaterial } from '@sigstore/verify';
import { ModelSignatureError, malformed } from './errors.ts';
import { expectObject, parseJson } from './decode.ts';
import type { ParsedBundle } from './bundle.ts';

const MAX_TRUSTED_ROOT_BYTES = 4 * 1024 * 1024;
const OID_CODE_SIGNING = '1.3.6.1.5.5.7.3.3';

export async function loadTrustedRoot(path: unknown): Promise<TrustMaterial> {
  if (typeof path !== 'string' || path.length === 0) throw new ModelSignatureError('MODEL_TRUST_ROOT_INVALID', 'trustedRootPath must be a path.');
  let text: string;
  try {
    if ((await stat(path)).size > MAX_TRUSTED_ROOT_BYTES) throw new Error('too large');
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ModelSignatureError('MODEL_TRUST_ROOT_INVALID', `The trusted root ${JSON.stringify(path)} could not be read.`, { cause: e });
  }
  try {
    const json = expectObject(parseJson(text, 'trusted_root.json'), 'trusted_root.json');
    const media = json['mediaType'];
    if (media !== undefined && (typeof media !== 'string' || !media.startsWith('application/vnd.dev.sigstore.trustedroot'))) {
      throw new Error(`unexpected mediaType ${String(media)}`);
    }
    const root = TrustedRoot.fromJSON(json);
    if (root.certificateAuthorities.length === 0 || root.tlogs.length === 0) throw new Error('no certificate authority or transparency log');
    return toTrustMaterial(root);
  } catch (e) {
    throw new ModelSignatureError('MODEL_TRUST_ROOT_INVALID', `The trusted root ${JSON.stringify(path)} is not a Sigstore trusted_root.json.`, { cause: e });
  }
}

export interface SigstoreSigner {
  readonly subject: string;
  readonly issuer: string;
}

export function verifySigstoreBundle(parsed: ParsedBundle, trust: TrustMaterial, expected: { identity: string; issuer: string }): SigstoreSigner {
  if (parsed.material.kind === 'publicKey') {
    throw new ModelSignatureError('MODEL_SIGNATURE_UNSUPPORTED', 'The bundle is signed with a key, not with Sigstore: verify it with the key method.');
  }
  if (!parsed.logged) throw new ModelSignatureError('MODEL_TLOG_INVALID', 'The bundle has no transparency log entry: it is not a Sigstore signature.');
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(parsed.json);
  } catch (e) {
    throw malformed('The Sigstore bundle does not follow the bundle schema.', e);
  }
  const leafDer = leafOf(bundle);
  let signer;
  try {
    const entity = toSignedEntity(bundle);
    signer = new Verifier(trust, { tlogThreshold: 1, ctlogThreshold: 1, timestampThreshold: 1 }).verify(entity);
  } catch (e) {
    throw mapVerifyError(e);
  }
  const san = signer.identity?.subjectAlternativeName;
  const issuer = signer.identity?.extensions?.issuer;
  if (san !== expected.identity || issuer !== expected.issuer) {
    throw new ModelSignatureError(
      'MODEL_IDENTITY_MISMATCH',
      `Signed by ${JSON.stringify(san ?? '(none)')} via ${JSON.stringify(issuer ?? '(none)')}, expected ${JSON.stringify(expected.identity)} via ${JSON.stringify(expected.issuer)}.`,
    );
  }
  const eku = leafDer ? new NodeX509(leafDer).keyUsage : undefined;
  if (!eku?.includes(OID_CODE_SIGNING)) {
    throw new ModelSignatureError('MODEL_CERT_NOT_FOR_SIGNING', 'The Sigstore certificate is not for code signing.');
  }
  return { subject: san, issuer };
}

function leafOf(bundle: Bundle): Buffer | undefined {
  const content = bundle.verificationMaterial.content;
  if (content.$case === 'certificate') return Buffer.from(content.certificate.rawBytes);
  if (content.$case === 'x509CertificateChain') {
    const first = content.x509CertificateChain.certificates[0];
    return first ? Buffer.from(first.rawBytes) : undefined;
  }
  return undefined;
}

function mapVerifyError(e: unknown): ModelSignatureError {
  if (e instanceof ModelSignatureError) return e;
  if (e instanceof VerificationError) {
    const detail = `${e.message}${e.cause instanceof Error ? ` (${e.cause.message})` : ''}.`;
    if (e.code === 'CERTIFICATE_ERROR') {
      const expired = /expired|not valid/i.test(detail);
      return new ModelSignatureError(expired ? 'MODEL_CERT_EXPIRED' : 'MODEL_CERT_UNTRUSTED', detail, { cause: e });
    }
    if (e.code === 'SIGNATURE_ERROR') return new ModelSignatureError('MODEL_SIGNATURE_INVALID', detail, { cause: e });
    if (e.code === 'PUBLIC_KEY_ERROR') return new ModelSignatureError('MODEL_SIGNATURE_UNSUPPORTED', detail, { cause: e });
    return new ModelSignatureError('MODEL_TLOG_INVALID', detail, { cause: e });
  }
  return malformed('The Sigstore bundle could not be read.', e);
}
