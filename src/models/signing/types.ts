/** Public types of model signing, shared by the manifest, signing and verification modules. */

/** Progress of hashing a model; reported at most every 100 ms and once at the end. */
export interface HashProgress {
  readonly bytesHashed: number;
  readonly totalBytes: number;
  readonly filesHashed: number;
  readonly totalFiles: number;
}

/**
 * How the model was cut into manifest items, as recorded in the predicate's `serialization`.
 * `files` is what Rampart signs with (and the reference tool's default); `shards` is verified
 * for compatibility with models signed by the reference tool with shard serialization.
 */
export type Serialization =
  | { readonly method: 'files'; readonly hashType: 'sha256'; readonly allowSymlinks: boolean; readonly ignorePaths?: readonly string[] }
  | {
      readonly method: 'shards';
      /** `sha256`, or `sha256-sharded-<shardSize>` as older reference versions wrote it. */
      readonly hashType: string;
      readonly shardSize: number;
      readonly allowSymlinks: boolean;
      readonly ignorePaths?: readonly string[];
    };

/** One manifest item: a file (`files`) or `path:start:end` (`shards`), model-relative POSIX path. */
export interface ManifestEntry {
  readonly name: string;
  /** Lower-case hex SHA-256. */
  readonly digest: string;
}

export interface ModelManifest {
  /** The last component of the model path; informative only (renaming a model keeps it valid). */
  readonly modelName: string;
  /** SHA-256 over the raw per-item digests in manifest order (hex). */
  readonly rootDigest: string;
  /** Items in canonical order (the reference tool's order: path components, code point by code point). */
  readonly files: readonly ManifestEntry[];
  /** Bytes hashed. */
  readonly bytes: number;
  readonly serialization: Serialization;
}

export interface VerifiedModel {
  /** The signed root digest (the in-toto subject digest), checked against the resources. */
  rootDigest: string;
  /** The signed model name (informative). */
  modelName: string;
  files: Array<{ name: string; digest: string }>;
  /** Bytes hashed to verify (the model's files as the manifest covers them). */
  bytes: number;
  signer: {
    kind: 'key' | 'certificate' | 'sigstore';
    /** Hex SHA-256 of the signer's DER SubjectPublicKeyInfo (key and certificate methods). */
    keyId?: string;
    /** Certificate subject DN (certificate) or the certificate's SAN identity (sigstore). */
    subject?: string;
    /** Certificate issuer DN (certificate) or the OIDC issuer (sigstore). */
    issuer?: string;
  };
}

export type VerificationMethod =
  | { kind: 'key'; publicKeyPem: string }
  | { kind: 'certificate'; trustedRootsPem: string[] }
  | { kind: 'sigstore'; trustedRootPath: string; identity: string; issuer: string };
