/**
 * Coded errors of model signing and verification. Every failure has one stable code; the table
 * below is the source of docs/model-signing.md's error list (test/models/signing/errors-docs.test.ts
 * fails when a code is not documented there). The message names the file where one is concerned;
 * it never contains key material.
 */

export const MODEL_SIGNATURE_ERRORS = {
  MODEL_NOT_FOUND: 'The model or its signature file does not exist.',
  MODEL_PATH_REFUSED: 'The model contains a path that is refused (symbolic link, special file, path outside the model).',
  MODEL_EMPTY: 'The model has no files to sign or verify after the ignore paths are applied.',
  MODEL_IO_ERROR: 'A model file could not be read, or it changed while it was being hashed.',
  MODEL_KEY_INVALID: 'The signing key, public key or signing certificate given is unusable.',
  MODEL_TRUST_ROOT_INVALID: 'The trusted roots or trusted_root.json given are unusable.',
  MODEL_SIGNATURE_MALFORMED: 'The signature file is not a well-formed model signature.',
  MODEL_SIGNATURE_UNSUPPORTED: 'The signature is well-formed but uses a format or algorithm that is not supported.',
  MODEL_SIGNATURE_INVALID: 'The signature does not verify with the given key or certificate.',
  MODEL_CERT_UNTRUSTED: 'The signing certificate does not chain to a trusted root.',
  MODEL_CERT_EXPIRED: 'A certificate of the chain was not valid at the time of signing.',
  MODEL_CERT_NOT_FOR_SIGNING: 'The signing certificate may not be used for code signing.',
  MODEL_TLOG_INVALID: 'The transparency log entry or timestamp of the signature does not verify.',
  MODEL_IDENTITY_MISMATCH: 'The signature was made by another identity or OIDC issuer than expected.',
  MODEL_FILE_CHANGED: 'A model file differs from the signed manifest.',
  MODEL_FILE_MISSING: 'A file of the signed manifest is missing from the model.',
  MODEL_FILE_EXTRA: 'The model has a file that the signed manifest does not list.',
} as const;

export type ModelSignatureErrorCode = keyof typeof MODEL_SIGNATURE_ERRORS;

/** The files that differ between the signed manifest and the model on disk (at most 100 each). */
export interface ManifestMismatch {
  readonly changed: readonly string[];
  readonly missing: readonly string[];
  readonly extra: readonly string[];
}

export interface ModelSignatureErrorOptions {
  /** The model-relative file concerned, if one is. */
  file?: string;
  mismatch?: ManifestMismatch;
  cause?: unknown;
}

export class ModelSignatureError extends Error {
  readonly code: ModelSignatureErrorCode;
  readonly detail: string | undefined;
  readonly file: string | undefined;
  readonly mismatch: ManifestMismatch | undefined;

  constructor(code: ModelSignatureErrorCode, detail?: string, options: ModelSignatureErrorOptions = {}) {
    const base = MODEL_SIGNATURE_ERRORS[code];
    super(detail ? `${base} ${detail}` : base, { cause: options.cause });
    this.name = 'ModelSignatureError';
    this.code = code;
    this.detail = detail;
    this.file = options.file;
    this.mismatch = options.mismatch;
  }
}

export function isModelSignatureError(e: unknown): e is ModelSignatureError {
  return e instanceof ModelSignatureError;
}

/** Shorthand for the many "this field is wrong" failures of untrusted input. */
export function malformed(detail: string, cause?: unknown): ModelSignatureError {
  return new ModelSignatureError('MODEL_SIGNATURE_MALFORMED', detail, { cause });
}

/** Quotes a file name for a message: JSON string form, so control characters cannot forge lines. */
export function quoteName(name: string): string {
  return JSON.stringify(name.length > 300 ? `${name.slice(0, 300)}…` : name);
}
