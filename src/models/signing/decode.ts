/**
 * Strict readers for untrusted JSON: parse without prototype poisoning, then take fields one by
 * one with their type checked. Every failure is MODEL_SIGNATURE_MALFORMED naming the field.
 */
import sjson from 'secure-json-parse';
import { malformed } from './errors.ts';

export type JsonObject = Record<string, unknown>;

export function parseJson(text: string, what: string): unknown {
  try {
    return sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (e) {
    throw malformed(`${what} is not valid JSON.`, e);
  }
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function expectObject(v: unknown, field: string): JsonObject {
  if (!isObject(v)) throw malformed(`${field} must be an object.`);
  return v;
}

/** Refuses keys outside the allow-list (unknown fields are an attacker's room to play). */
export function onlyKeys(obj: JsonObject, allowed: readonly string[], field: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw malformed(`${field} has an unexpected field ${JSON.stringify(key.slice(0, 64))}.`);
  }
}

export function expectString(v: unknown, field: string, maxLength = 1 << 20): string {
  if (typeof v !== 'string') throw malformed(`${field} must be a string.`);
  if (v.length > maxLength) throw malformed(`${field} is too long.`);
  return v;
}

export function expectArray(v: unknown, field: string, min: number, max: number): unknown[] {
  if (!Array.isArray(v)) throw malformed(`${field} must be a list.`);
  if (v.length < min || v.length > max) {
    throw malformed(min === max ? `${field} must have exactly ${min} item(s).` : `${field} must have ${min} to ${max} items.`);
  }
  return v;
}

/**
 * Decodes standard, padded base64 and nothing else: Node's decoder skips invalid characters, so
 * the input must re-encode to itself.
 */
export function decodeBase64(v: unknown, field: string, maxLength: number): Buffer {
  const s = expectString(v, field, maxLength);
  const bytes = Buffer.from(s, 'base64');
  if (bytes.toString('base64') !== s) throw malformed(`${field} is not valid base64.`);
  return bytes;
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;

export function expectSha256Hex(v: unknown, field: string): string {
  if (typeof v !== 'string' || !HEX_SHA256.test(v)) throw malformed(`${field} must be a lower-case hex SHA-256 digest.`);
  return v;
}
