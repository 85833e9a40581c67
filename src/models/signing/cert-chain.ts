/**
 * X.509 chain validation for certificate-signed models (RFC 5280 §6, the parts that apply).
 *
 * The bundle carries the signing certificate first, then intermediates; the caller names the
 * trusted roots. A path is built upward from the signing certificate, each link checked by name
 * and signature, and it must end at one of the trusted certificates (a trusted certificate need
 * not be self-signed: trusting an intermediate is the caller's choice). Then, like the reference
 * tool, which sets the verification time to the signing certificate's notBefore (there is no
 * trusted signing time in such a bundle), every certificate of the path must be valid at that
 * instant; a signing certificate that is not valid yet now is refused too.
 *
 * Issuers must be CAs (basicConstraints, keyCertSign when keyUsage is present, pathLen); unknown
 * critical extensions are refused. The signing certificate must have keyUsage digitalSignature
 * and, if it has an extendedKeyUsage, codeSigning (stricter than the reference tool, which takes
 * either). Its key must be an accepted EC key.
 */
import { X509Certificate as NodeX509 } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { X509Certificate as Asn1X509 } from '@sigstore/core';
import { ModelSignatureError, malformed } from './errors.ts';
import { hashForKey, keyIdOf } from './keys.ts';

const OID_CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
const OID_ANY_EKU = '2.5.29.37.0';
/** Critical extensions this validator understands (anything else critical is refused). */
const KNOWN_CRITICAL = new Set(['2.5.29.14', '2.5.29.15', '2.5.29.17', '2.5.29.19', '2.5.29.35', '2.5.29.37']);
const MAX_DEPTH = 10;
const PEM_CERT = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+?-----END CERTIFICATE-----/g;

export interface Certificate {
  readonly der: Buffer;
  readonly node: NodeX509;
  readonly asn1: Asn1X509;
}

export function certName(cert: Certificate): string {
  return JSON.stringify(cert.node.subject.replaceAll('\n', ', ') || '(empty subject)');
}

export function parseCertificate(der: Buffer, field: string): Certificate {
  try {
    const node = new NodeX509(der);
    const asn1 = Asn1X509.parse(Buffer.from(node.raw));
    if (!Buffer.from(node.raw).equals(der)) throw new Error('trailing data');
    return { der, node, asn1 };
  } catch (e) {
    throw malformed(`${field} is not a DER X.509 certificate.`, e);
  }
}

/** Reads PEM certificates (several per string allowed); an empty or unreadable set is refused. */
export function parseTrustedRoots(pems: unknown): Certificate[] {
  if (!Array.isArray(pems) || pems.length === 0) {
    // The reference tool falls back to the system's web PKI roots here; a model signer is not a
    // web server, so Rampart wants the roots named.
    throw new ModelSignatureError('MODEL_TRUST_ROOT_INVALID', 'trustedRootsPem must list at least one PEM certificate.');
  }
  const out: Certificate[] = [];
  for (const pem of pems) {
    if (typeof pem !== 'string') throw new ModelSignatureError('MODEL_TRUST_ROOT_INVALID', 'trustedRootsPem must be PEM strings.');
    const blocks = pem.match(PEM_CERT) ?? [];
    if (blocks.length === 0) throw new ModelSignatureError('MODEL_TRUST_ROOT_INVALID', 'A trusted root is not a PEM certificate.');
    for (const block of blocks) {
      try {
        const node = new NodeX509(block);
        out.push({ der: Buffer.from(node.raw), node, asn1: Asn1X509.parse(Buffer.from(node.raw)) });
      } catch (e) {
        throw new ModelSignatureError('MODEL_TRUST_ROOT_INVALID', 'A trusted root could not be read.', { cause: e });
      }
    }
  }
  return out;
}

/** PEM certificates given to the signer, in order (signing certificate first). */
export function parseCertificateChainPem(pems: unknown): Certificate[] {
  if (!Array.isArray(pems) || pems.length === 0) throw new ModelSignatureError('MODEL_KEY_INVALID', 'certificateChainPem must list PEM certificates.');
  try {
    return parseTrustedRoots(pems);
  } catch (e) {
    throw new ModelSignatureError('MODEL_KEY_INVALID', 'certificateChainPem could not be read.', { cause: e });
  }
}

export interface VerifiedChain {
  readonly leaf: Certificate;
  readonly publicKey: KeyObject;
  readonly keyId: string;
  readonly subject: string;
  readonly issuer: string;
}

export function verifyCertificateChain(chainDer: readonly Buffer[], roots: readonly Certificate[], now: Date): VerifiedChain {
  const chain = chainDer.map((der, i) => parseCertificate(der, `certificate ${i + 1} of the chain`));
  const leaf = chain[0]!;
  const signingTime = leaf.asn1.notBefore;
  if (signingTime.getTime() > now.getTime()) {
    throw new ModelSignatureError('MODEL_CERT_EXPIRED', `The signing certificate ${certName(leaf)} is not valid before ${signingTime.toISOString()}.`);
  }
  const path = buildPath(leaf, chain.slice(1), roots);
  for (const cert of path) {
    if (cert.asn1.notBefore > signingTime || cert.asn1.notAfter < signingTime) {
      throw new ModelSignatureError(
        'MODEL_CERT_EXPIRED',
        `Certificate ${certName(cert)} (valid ${cert.asn1.notBefore.toISOString()} to ${cert.asn1.notAfter.toISOString()}) was not valid when the signing certificate was issued (${signingTime.toISOString()}).`,
      );
    }
    for (const ext of cert.asn1.extensions) {
      const oid = ext.subs[0]?.toOID();
      const critical = ext.subs.length === 3 && ext.subs[1]?.toBoolean() === true;
      if (critical && (!oid || !KNOWN_CRITICAL.has(oid))) {
        throw new ModelSignatureError('MODEL_CERT_UNTRUSTED', `Certificate ${certName(cert)} has an unsupported critical extension ${oid ?? '?'}.`);
      }
    }
  }
  path.slice(1).forEach((issuer, i) => checkIssuer(issuer, i));
  checkSigningUse(leaf);
  const publicKey = leaf.node.publicKey;
  hashForKey(publicKey, 'MODEL_SIGNATURE_UNSUPPORTED');
  return {
    leaf,
    publicKey,
    keyId: keyIdOf(publicKey),
    subject: leaf.node.subject.replaceAll('\n', ', '),
    issuer: leaf.node.issuer.replaceAll('\n', ', '),
  };
}

/** Leaf first, trust anchor last. */
function buildPath(leaf: Certificate, intermediates: readonly Certificate[], roots: readonly Certificate[]): Certificate[] {
  const path = [leaf];
  let current = leaf;
  for (let depth = 0; depth <= MAX_DEPTH; depth++) {
    if (roots.some((r) => r.der.equals(current.der))) return path;
    const anchor = roots.find((r) => issued(current, r));
    if (anchor) {
      path.push(anchor);
      return path;
    }
    const next = intermediates.find((c) => !path.includes(c) && issued(current, c));
    if (!next) {
      throw new ModelSignatureError('MODEL_CERT_UNTRUSTED', `No trusted root issued ${certName(current)} (issuer ${JSON.stringify(current.node.issuer.replaceAll('\n', ', '))}).`);
    }
    path.push(next);
    current = next;
  }
  throw new ModelSignatureError('MODEL_CERT_UNTRUSTED', 'The certificate chain is too long.');
}

function issued(cert: Certificate, issuer: Certificate): boolean {
  try {
    return cert.node.checkIssued(issuer.node) && cert.node.verify(issuer.node.publicKey);
  } catch {
    return false;
  }
}

/** `below` = number of intermediate CAs between this issuer and the signing certificate. */
function checkIssuer(cert: Certificate, below: number): void {
  const bc = cert.asn1.extBasicConstraints;
  if (!bc?.isCA) throw new ModelSignatureError('MODEL_CERT_UNTRUSTED', `Certificate ${certName(cert)} issued a certificate but is not a CA.`);
  const ku = cert.asn1.extKeyUsage;
  if (ku && !ku.keyCertSign) throw new ModelSignatureError('MODEL_CERT_UNTRUSTED', `Certificate ${certName(cert)} may not sign certificates (keyUsage).`);
  const pathLen = bc.pathLenConstraint;
  if (pathLen !== undefined && BigInt(below) > pathLen) {
    throw new ModelSignatureError('MODEL_CERT_UNTRUSTED', `Certificate ${certName(cert)} allows ${pathLen} intermediate(s) below it, the chain has ${below}.`);
  }
}

function checkSigningUse(leaf: Certificate): void {
  const ku = leaf.asn1.extKeyUsage;
  if (!ku?.digitalSignature) {
    throw new ModelSignatureError('MODEL_CERT_NOT_FOR_SIGNING', `The signing certificate ${certName(leaf)} lacks keyUsage digitalSignature.`);
  }
  const eku = leaf.node.keyUsage;
  if (eku && eku.length > 0 && !eku.includes(OID_CODE_SIGNING) && !eku.includes(OID_ANY_EKU)) {
    throw new ModelSignatureError('MODEL_CERT_NOT_FOR_SIGNING', `The signing certificate ${certName(leaf)} is not for code signing (extendedKeyUsage ${eku.join(', ')}).`);
  }
}
