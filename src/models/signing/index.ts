/**
 * Model signing and verification compatible with OpenSSF model signing v1.0 (`model_signing`):
 * Sigstore bundle → DSSE envelope → in-toto statement with per-file SHA-256 digests and a root
 * digest. See docs/model-signing.md.
 */
export { signModel } from './sign.ts';
export type { SignModelOptions, SignModelResult } from './sign.ts';
export { verifyModel, MAX_SIGNATURE_BYTES } from './verify.ts';
export type { VerifyModelOptions } from './verify.ts';
export { hashModel, DEFAULT_SIGNATURE_NAME, GIT_IGNORE_PATHS } from './manifest.ts';
export type { HashModelOptions } from './manifest.ts';
export { ModelSignatureError, MODEL_SIGNATURE_ERRORS, isModelSignatureError } from './errors.ts';
export type { ManifestMismatch, ModelSignatureErrorCode } from './errors.ts';
export { createProgressReporter, formatHashProgress, formatBytes } from './progress.ts';
export type { ProgressReporter, ProgressStream } from './progress.ts';
export type { HashProgress, ManifestEntry, ModelManifest, Serialization, VerificationMethod, VerifiedModel } from './types.ts';
