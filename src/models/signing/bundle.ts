/**
 * The signature file: a Sigstore bundle (v0.3 JSON) wrapping the DSSE envelope. Key-based
 * signatures carry `verificationMaterial.publicKey.hint` (hex SHA-256 of the public key PEM),
 * certificate signatures the chain (signing certificate first) in `x509CertificateChain`, both
 * with an empty `tlogEntries`, exactly as the reference tool writes them. Sigstore (keyless)
 * bundles carry a Fulcio certificate, transparency log entries and timestamps.
 *
 * This module reads the file field by field and only into plain data; it decides nothing about
 * trust. v1.0.0 of the reference tool wrote `publicKey.rawBytes`/`keyDetails` instead of `hint`;
 * that form is read too.
 */
import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { ModelSignatureError, malformed } from './errors.ts';
import { decodeBase64, expectArray, expectObject, expectString, onlyKeys, parseJson } from './decode.ts';
import type { JsonObject } from './decode.ts';
import { envelopeToJson, parseEnvelope } from './dsse.ts';
import type { Envelope } from './dsse.ts';

/** What the reference tool writes and requires for key and certificate signatures. */
export const BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const V03_MEDIA_TYPES = [BUNDLE_MEDIA_TYPE, 'application/vnd.dev.sigstore.bundle+json;version=0.3'];
const SIGSTORE_MEDIA_TYPES = [
  ...V03_MEDIA_TYPES,
  'application/vnd.dev.sigstore.bundle+json;version=0.2',
  'application/vnd.dev.sigstore.bundle+json;version=0.1',
];

const MAX_CERT_BASE64 = 64 * 1024;
const MAX_CHAIN = 10;
const KEY_DETAILS = ['PKIX_ECDSA_P256_SHA_256', 'PKIX_ECDSA_P384_SHA_384', 'PKIX_ECDSA_P521_SHA_512'];
const HINT = /^[0-9a-f]{64}$/;

export type BundleMaterial =
  | { readonly kind: 'publicKey'; readonly hint: string | undefined; readonly embeddedKey: KeyObject | undefined }
  | { readonly kind: 'certificateChain'; readonly certificates: readonly Buffer[] }
  | { readonly kind: 'certificate'; readonly certificate: Buffer };

export interface ParsedBundle {
  /** The parsed JSON, for the Sigstore verifier (which re-reads it with its own schema). */
  readonly json: JsonObject;
  readonly mediaType: string;
  readonly material: BundleMaterial;
  readonly envelope: Envelope;
  /** Whether the bundle has transparency log entries or signed timestamps. */
  readonly logged: boolean;
}

export function parseBundle(text: string): ParsedBundle {
  const json = expectObject(parseJson(text, 'The signature file'), 'bundle');
  if ('messageSignature' in json) {
    throw new ModelSignatureError('MODEL_SIGNATURE_UNSUPPORTED', 'The bundle signs a message, not a DSSE envelope: it is not a model signature.');
  }
  onlyKeys(json, ['mediaType', 'verificationMaterial', 'dsseEnvelope'], 'bundle');
  const mediaType = expectString(json['mediaType'], 'bundle.mediaType', 256);
  if (!SIGSTORE_MEDIA_TYPES.includes(mediaType)) throw malformed(`bundle.mediaType ${JSON.stringify(mediaType.slice(0, 80))} is not a Sigstore bundle.`);
  const vm = expectObject(json['verificationMaterial'], 'bundle.verificationMaterial');
  onlyKeys(vm, ['publicKey', 'x509CertificateChain', 'certificate', 'tlogEntries', 'timestampVerificationData'], 'bundle.verificationMaterial');
  const kinds = ['publicKey', 'x509CertificateChain', 'certificate'].filter((k) => vm[k] !== undefined);
  if (kinds.length !== 1) throw malformed('bundle.verificationMaterial must have exactly one of publicKey, x509CertificateChain, certificate.');
  const material = parseMaterial(kinds[0]!, vm[kinds[0]!]);
  const envelope = parseEnvelope(json['dsseEnvelope']);
  const tlog = vm['tlogEntries'];
  if (tlog !== undefined && !Array.isArray(tlog)) throw malformed('bundle.verificationMaterial.tlogEntries must be a list.');
  const tsv = vm['timestampVerificationData'];
  if (tsv !== undefined) expectObject(tsv, 'bundle.verificationMaterial.timestampVerificationData');
  const timestamps = tsv ? (tsv as JsonObject)['rfc3161Timestamps'] : undefined;
  const logged = (Array.isArray(tlog) && tlog.length > 0) || (Array.isArray(timestamps) && timestamps.length > 0);
  return { json, mediaType, material, envelope, logged };
}

function parseMaterial(kind: string, raw: unknown): BundleMaterial {
  if (kind === 'publicKey') {
    const pk = expectObject(raw, 'publicKey');
    onlyKeys(pk, ['hint', 'rawBytes', 'keyDetails', 'validFor'], 'publicKey');
    let hint: string | undefined;
    if (pk['hint'] !== undefined && pk['hint'] !== null && pk['hint'] !== '') {
      const h = expectString(pk['hint'], 'publicKey.hint', 256);
      if (!HINT.test(h)) throw malformed('publicKey.hint must be a hex SHA-256.');
      hint = h;
    }
    let embeddedKey: KeyObject | undefined;
    if (pk['rawBytes'] !== undefined) {
      const bytes = decodeBase64(pk['rawBytes'], 'publicKey.rawBytes', MAX_CERT_BASE64);
      if (pk['keyDetails'] !== undefined && !KEY_DETAILS.includes(String(pk['keyDetails']))) {
        throw new ModelSignatureError('MODEL_SIGNATURE_UNSUPPORTED', 'publicKey.keyDetails names an unsupported key type.');
      }
      try {
        const text = bytes.toString('utf8');
        embeddedKey = text.includes('-----BEGIN PUBLIC KEY-----') ? createPublicKey(text) : createPublicKey({ key: bytes, format: 'der', type: 'spki' });
      } catch (e) {
        throw malformed('publicKey.rawBytes is not a public key.', e);
      }
    }
    return { kind: 'publicKey', hint, embeddedKey };
  }
  if (kind === 'x509CertificateChain') {
    const chain = expectObject(raw, 'x509CertificateChain');
    onlyKeys(chain, ['certificates'], 'x509CertificateChain');
    const certs = expectArray(chain['certificates'], 'x509CertificateChain.certificates', 1, MAX_CHAIN);
    return { kind: 'certificateChain', certificates: certs.map((c, i) => certificateBytes(c, `x509CertificateChain.certificates[${i}]`)) };
  }
  return { kind: 'certificate', certificate: certificateBytes(raw, 'certificate') };
}

function certificateBytes(raw: unknown, field: string): Buffer {
  const c = expectObject(raw, field);
  onlyKeys(c, ['rawBytes'], field);
  const der = decodeBase64(c['rawBytes'], `${field}.rawBytes`, MAX_CERT_BASE64);
  if (der.length === 0) throw malformed(`${field}.rawBytes is empty.`);
  return der;
}

/** Refuses a bundle whose media type is not the v0.3 one the reference tool uses for its own signatures. */
export function requireV03(bundle: ParsedBundle): void {
  if (!V03_MEDIA_TYPES.includes(bundle.mediaType)) throw malformed(`bundle.mediaType must be ${BUNDLE_MEDIA_TYPE}.`);
}

/** Writes a key or certificate bundle the way the reference tool does. */
export function encodeBundle(envelope: Envelope, material: { publicKeyHint: string } | { certificates: readonly Buffer[] }): string {
  const verificationMaterial =
    'publicKeyHint' in material
      ? { publicKey: { hint: material.publicKeyHint }, tlogEntries: [] }
      : { x509CertificateChain: { certificates: material.certificates.map((c) => ({ rawBytes: c.toString('base64') })) }, tlogEntries: [] };
  return JSON.stringify({ mediaType: BUNDLE_MEDIA_TYPE, verificationMaterial, dsseEnvelope: envelopeToJson(envelope) });
}
