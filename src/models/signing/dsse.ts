/**
 * DSSE envelopes (github.com/secure-systems-lab/dsse, protocol v1). The signature covers the
 * pre-authentication encoding, so the payload type cannot be swapped:
 *
 *   PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
 *
 * with LEN as ASCII decimal byte counts. A model signature envelope carries exactly one signature
 * over an in-toto statement.
 */
import { malformed } from './errors.ts';
import { decodeBase64, expectArray, expectObject, expectString, onlyKeys } from './decode.ts';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** Largest payload accepted (a manifest of about a million files). */
export const MAX_PAYLOAD_BASE64 = 256 * 1024 * 1024;
const MAX_SIG_BASE64 = 1024;

export interface Envelope {
  readonly payloadType: string;
  readonly payload: Buffer;
  readonly signature: Buffer;
}

export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

/** The JSON form the reference tool writes (`keyid` empty). */
export function envelopeToJson(env: Envelope): Record<string, unknown> {
  return {
    payload: env.payload.toString('base64'),
    payloadType: env.payloadType,
    signatures: [{ sig: env.signature.toString('base64'), keyid: '' }],
  };
}

/** Reads `dsseEnvelope` of a bundle, field by field. */
export function parseEnvelope(raw: unknown): Envelope {
  const env = expectObject(raw, 'dsseEnvelope');
  onlyKeys(env, ['payload', 'payloadType', 'signatures'], 'dsseEnvelope');
  const payloadType = expectString(env['payloadType'], 'dsseEnvelope.payloadType', 256);
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) throw malformed(`dsseEnvelope.payloadType must be ${IN_TOTO_PAYLOAD_TYPE}.`);
  const signatures = env['signatures'];
  if (Array.isArray(signatures) && signatures.length > 1) {
    // Which one would count? Refuse rather than pick: a model signature has one signer.
    throw malformed('dsseEnvelope has more than one signature.');
  }
  const [first] = expectArray(signatures, 'dsseEnvelope.signatures', 1, 1);
  const sig = expectObject(first, 'dsseEnvelope.signatures[0]');
  onlyKeys(sig, ['sig', 'keyid'], 'dsseEnvelope.signatures[0]');
  const keyid = sig['keyid'];
  if (keyid !== undefined && keyid !== null && typeof keyid !== 'string') throw malformed('dsseEnvelope.signatures[0].keyid must be a string.');
  const signature = decodeBase64(sig['sig'], 'dsseEnvelope.signatures[0].sig', MAX_SIG_BASE64);
  if (signature.length === 0) throw malformed('dsseEnvelope.signatures[0].sig is empty.');
  const payload = decodeBase64(env['payload'], 'dsseEnvelope.payload', MAX_PAYLOAD_BASE64);
  return { payloadType, payload, signature };
}
