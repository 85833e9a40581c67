/**
 * The in-toto statement a model signature carries (in-toto attestation spec v1), with the
 * `model_signing` v1.0 predicate:
 *
 *   _type          https://in-toto.io/Statement/v1
 *   subject        [{ name: <model name>, digest: { sha256: <root digest> } }]
 *   predicateType  https://model_signing/signature/v1.0
 *   predicate      { serialization: {...}, resources: [{ name, algorithm: "sha256", digest }] }
 *
 * The root digest is SHA-256 over the raw resource digests in the order they are listed.
 */
import { ModelSignatureError, malformed } from './errors.ts';
import { expectArray, expectObject, expectSha256Hex, expectString, onlyKeys, parseJson } from './decode.ts';
import { rootDigestOf } from './manifest.ts';
import { SINGLE_FILE_NAME, checkSignedName, parseShardName } from './paths.ts';
import { parseSerialization, serializationToJson } from './serialization.ts';
import type { ManifestEntry, ModelManifest, Serialization } from './types.ts';

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const PREDICATE_TYPE = 'https://model_signing/signature/v1.0';
/** model_signing v0.2 wrote this; its digests are not bound to a full manifest, so it is refused. */
export const LEGACY_PREDICATE_TYPE = 'https://model_signing/Digests/v0.1';

const MAX_RESOURCES = 1_000_000;

export interface SignedManifest {
  readonly modelName: string;
  readonly rootDigest: string;
  readonly serialization: Serialization;
  /** In the order signed. */
  readonly resources: readonly ManifestEntry[];
}

/** The statement's JSON bytes (2-space indented, as the reference tool writes it). */
export function encodeStatement(manifest: ModelManifest): Buffer {
  const statement = {
    _type: STATEMENT_TYPE,
    subject: [{ name: manifest.modelName, digest: { sha256: manifest.rootDigest } }],
    predicateType: PREDICATE_TYPE,
    predicate: {
      serialization: serializationToJson(manifest.serialization),
      resources: manifest.files.map((f) => ({ name: f.name, algorithm: 'sha256', digest: f.digest })),
    },
  };
  return Buffer.from(JSON.stringify(statement, null, 2), 'utf8');
}

/** Reads a signed statement field by field; refuses anything this verifier does not understand. */
export function parseStatement(payload: Buffer): SignedManifest {
  const text = payload.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(payload)) throw malformed('The statement is not valid UTF-8.');
  const root = expectObject(parseJson(text, 'The in-toto statement'), 'statement');
  if (root['_type'] !== STATEMENT_TYPE) throw malformed(`statement._type must be ${STATEMENT_TYPE}.`);
  const predicateType = root['predicateType'];
  if (predicateType === LEGACY_PREDICATE_TYPE) {
    throw new ModelSignatureError('MODEL_SIGNATURE_UNSUPPORTED', 'Signatures of model_signing v0.2 (predicate Digests/v0.1) are not supported: re-sign the model.');
  }
  if (predicateType !== PREDICATE_TYPE) throw malformed(`statement.predicateType must be ${PREDICATE_TYPE}.`);

  const [subject] = expectArray(root['subject'], 'statement.subject', 1, 1);
  const subj = expectObject(subject, 'statement.subject[0]');
  const modelName = expectString(subj['name'], 'statement.subject[0].name', 4096);
  const digest = expectObject(subj['digest'], 'statement.subject[0].digest');
  onlyKeys(digest, ['sha256'], 'statement.subject[0].digest');
  const rootDigest = expectSha256Hex(digest['sha256'], 'statement.subject[0].digest.sha256');

  // v1.0: verifiers ignore predicate fields other than serialization and resources.
  const predicate = expectObject(root['predicate'], 'statement.predicate');
  const serialization = parseSerialization(predicate['serialization']);
  const list = expectArray(predicate['resources'], 'statement.predicate.resources', 1, MAX_RESOURCES);
  const okAlgorithms = serialization.method === 'files' ? ['sha256'] : ['sha256', serialization.hashType];
  const seen = new Set<string>();
  const resources = list.map((item, i) => {
    const field = `statement.predicate.resources[${i}]`;
    const r = expectObject(item, field);
    onlyKeys(r, ['name', 'algorithm', 'digest'], field);
    const name = expectString(r['name'], `${field}.name`, 8192);
    if (typeof r['algorithm'] !== 'string' || !okAlgorithms.includes(r['algorithm'])) {
      throw new ModelSignatureError('MODEL_SIGNATURE_UNSUPPORTED', `${field}.algorithm must be sha256.`);
    }
    const value = expectSha256Hex(r['digest'], `${field}.digest`);
    checkResourceName(name, serialization);
    if (seen.has(name)) throw malformed(`The manifest lists ${JSON.stringify(name)} twice.`);
    seen.add(name);
    return { name, digest: value };
  });
  if (seen.has(SINGLE_FILE_NAME) && resources.length > 1) throw malformed('A single-file manifest must have one item.');
  const computed = rootDigestOf(resources);
  if (computed !== rootDigest) {
    throw malformed(`The manifest is inconsistent: the subject digest is ${rootDigest} but the resources hash to ${computed}.`);
  }
  return { modelName, rootDigest, serialization, resources };
}

function checkResourceName(name: string, serialization: Serialization): void {
  if (serialization.method === 'files') {
    checkSignedName(name);
    return;
  }
  const shard = parseShardName(name);
  if (!shard) throw malformed(`The shard name ${JSON.stringify(name.slice(0, 300))} is not path:start:end.`);
  checkSignedName(shard.path);
  const length = shard.end - shard.start;
  if (length > serialization.shardSize || shard.start % serialization.shardSize !== 0) {
    throw malformed(`The shard ${JSON.stringify(name.slice(0, 300))} does not fit shard_size ${serialization.shardSize}.`);
  }
}
