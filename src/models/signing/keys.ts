/**
 * Elliptic-curve keys for model signatures. Like the reference tool (and the Sigstore protobuf
 * specs' PKIX_ECDSA_P*_SHA_* key details) only P-256, P-384 and P-521 are accepted, each with the
 * hash of its size: SHA-256, SHA-384, SHA-512. Signatures are ASN.1 DER (as the reference tool's
 * `cryptography` backend produces and requires), never raw r||s.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { ModelSignatureError } from './errors.ts';

export type EcHash = 'sha256' | 'sha384' | 'sha512';

const CURVE_HASH: Record<string, EcHash> = { prime256v1: 'sha256', secp384r1: 'sha384', secp521r1: 'sha512' };

/** The hash the key's curve calls for; throws if the key is not an accepted EC key. */
export function hashForKey(key: KeyObject, code: 'MODEL_KEY_INVALID' | 'MODEL_SIGNATURE_UNSUPPORTED'): EcHash {
  const curve = key.asymmetricKeyType === 'ec' ? key.asymmetricKeyDetails?.namedCurve : undefined;
  const hash = curve ? CURVE_HASH[curve] : undefined;
  if (!hash) {
    const what = key.asymmetricKeyType === 'ec' ? `curve ${curve ?? 'unknown'}` : `${key.asymmetricKeyType ?? 'unknown'} key`;
    throw new ModelSignatureError(code, `Only ECDSA keys on P-256, P-384 or P-521 are supported, not a ${what}.`);
  }
  return hash;
}

export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly hash: EcHash;
}

export function loadSigningKey(pem: unknown): SigningKey {
  if (typeof pem !== 'string' || !pem.includes('-----BEGIN')) throw new ModelSignatureError('MODEL_KEY_INVALID', 'privateKeyPem must be a PEM private key.');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch (e) {
    // Encrypted keys land here too: there is no passphrase option, decrypt the key beforehand.
    throw new ModelSignatureError('MODEL_KEY_INVALID', 'privateKeyPem could not be read (an encrypted key must be decrypted first).', { cause: e });
  }
  const hash = hashForKey(privateKey, 'MODEL_KEY_INVALID');
  return { privateKey, publicKey: createPublicKey(privateKey), hash };
}

export function loadPublicKey(pem: unknown): KeyObject {
  if (typeof pem !== 'string' || !pem.includes('-----BEGIN PUBLIC KEY-----')) {
    throw new ModelSignatureError('MODEL_KEY_INVALID', 'publicKeyPem must be a PEM public key (BEGIN PUBLIC KEY).');
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (e) {
    throw new ModelSignatureError('MODEL_KEY_INVALID', 'publicKeyPem could not be read.', { cause: e });
  }
  hashForKey(key, 'MODEL_KEY_INVALID');
  return key;
}

export function spkiDer(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

/** Hex SHA-256 of the DER SubjectPublicKeyInfo: the key id Rampart reports. */
export function keyIdOf(key: KeyObject): string {
  return createHash('sha256').update(spkiDer(key)).digest('hex');
}

/**
 * The reference tool's `publicKey.hint`: hex SHA-256 of the PEM text of the SubjectPublicKeyInfo
 * (64-character lines, trailing newline), which Node's PEM export reproduces byte for byte.
 */
export function keyHintOf(key: KeyObject): string {
  const pem = key.export({ type: 'spki', format: 'pem' });
  return createHash('sha256').update(pem).digest('hex');
}

export function signDer(key: SigningKey, data: Buffer): Buffer {
  return sign(key.hash, data, { key: key.privateKey, dsaEncoding: 'der' });
}

export function verifyDer(key: KeyObject, data: Buffer, signature: Buffer): boolean {
  const hash = hashForKey(key, 'MODEL_SIGNATURE_UNSUPPORTED');
  try {
    return verify(hash, data, { key, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}

export function sameKey(a: KeyObject, b: KeyObject): boolean {
  return spkiDer(a).equals(spkiDer(b));
}
