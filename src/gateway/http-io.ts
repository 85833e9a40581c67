/**
 * Request body reading and response writing shared by the data plane and the admin API.
 * Bodies are read with a hard byte limit (checked against Content-Length first, then while
 * streaming) and parsed with prototype-poisoning protection.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import sjson from 'secure-json-parse';
import { RampartError } from '../core/errors.ts';

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    req.resume(); // drain so the connection can be answered cleanly
    return Promise.reject(new RampartError('RAMPART_BODY_TOO_LARGE', { detail: `Limit: ${limit} bytes.` }));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(new RampartError('RAMPART_BODY_TOO_LARGE', { detail: `Limit: ${limit} bytes.` }));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.on('error', (e) => {
      if (!failed) reject(new RampartError('RAMPART_INVALID_REQUEST', { detail: 'The request body could not be read.', cause: e }));
    });
  });
}

/** Parses a JSON object body; `__proto__` and `constructor.prototype` keys are rejected. */
export function parseJsonObject(req: IncomingMessage, body: Buffer): Record<string, unknown> {
  const type = req.headers['content-type'];
  if (type !== undefined && !/^application\/([a-z0-9.+-]*\+)?json\b/i.test(type)) {
    throw new RampartError('RAMPART_UNSUPPORTED_MEDIA_TYPE');
  }
  // A compressed body is refused as such (it would otherwise read as malformed JSON); it is never
  // inflated, so a compression bomb costs nothing.
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
    throw new RampartError('RAMPART_UNSUPPORTED_MEDIA_TYPE', { detail: `Content-Encoding '${encoding.slice(0, 32)}' is not accepted: send the body uncompressed.` });
  }
  if (body.length === 0) throw new RampartError('RAMPART_BAD_JSON', { detail: 'The body is empty.' });
  let value: unknown;
  try {
    value = sjson.parse(body.toString('utf8'), undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch {
    throw new RampartError('RAMPART_BAD_JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new RampartError('RAMPART_INVALID_REQUEST', { detail: 'The body must be a JSON object.' });
  }
  return value as Record<string, unknown>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
