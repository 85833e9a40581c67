/**
 * The `models` section of rampart.yaml (model integrity): which signers and publishers are
 * trusted, where the server may read model directories from, and what a deployment's model must
 * have passed before the gateway serves it (`deployments[].model`).
 */
import { z } from 'zod';

/** What a deployment may require of its registered model (models/deploy-gate.ts). */
export const MODEL_REQUIREMENTS = ['clean-scan', 'trusted-signature', 'trusted-publisher', 'approval'] as const;
export type ModelRequirement = (typeof MODEL_REQUIREMENTS)[number];
export const DEFAULT_MODEL_REQUIREMENTS: readonly ModelRequirement[] = ['clean-scan', 'trusted-signature', 'approval'];

export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/;
export const ROOT_DIGEST = /^sha256:[0-9a-f]{64}$/;

const SIGNER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const pem = (what: string) => z.string().includes('-----BEGIN ', { message: `a PEM ${what}` });

export const trustedSignerSchema = z
  .strictObject({
    name: z.string().regex(SIGNER_NAME, 'letters, digits, ".", "_" and "-"').describe('How registry records and errors name this signer.'),
    publicKey: pem('public key').optional().describe('An ECDSA public key (PEM) that signs models, e.g. ${file:keys/ml-platform.pub}.'),
    certificateRoots: pem('certificate bundle').optional().describe('CA certificates (PEM) that signing certificate chains must lead to.'),
    sigstore: z
      .strictObject({
        trustedRoot: z.string().min(1).describe('Path of a Sigstore trusted_root.json (verified offline).'),
        identity: z.string().min(1).max(1024).describe('The certificate identity (SAN) that must have signed, e.g. a CI workflow URL or an e-mail address.'),
        issuer: z.url().describe('The OIDC issuer of that identity, e.g. https://token.actions.githubusercontent.com.'),
      })
      .optional()
      .describe('Sigstore keyless signing by one identity.'),
  })
  .superRefine((s, ctx) => {
    if ([s.publicKey, s.certificateRoots, s.sigstore].filter((v) => v !== undefined).length !== 1) {
      ctx.addIssue({ code: 'custom', path: ['publicKey'], message: 'set exactly one of publicKey, certificateRoots and sigstore' });
    }
  });

export type TrustedSignerConfig = z.output<typeof trustedSignerSchema>;

export const modelsConfigSchema = z
  .strictObject({
    signers: z.array(trustedSignerSchema).max(64).default([]).describe('Signers whose model signatures are trusted (OpenSSF model signing format).'),
    publishers: z
      .array(z.string().min(1).max(128))
      .max(1024)
      .default([])
      .describe('Trusted publishers of model sources (the hub organisation, e.g. meta-llama); required by `trusted-publisher`.'),
    roots: z
      .array(z.string().min(1))
      .max(64)
      .default([])
      .describe('Directories the server may read models from when one is registered through the admin API. Empty: registration by path only from the CLI.'),
    require: z
      .array(z.enum(MODEL_REQUIREMENTS))
      .default([...DEFAULT_MODEL_REQUIREMENTS])
      .describe('What a deployment\'s model must have passed, unless the deployment says otherwise.'),
    selfApproval: z.boolean().default(false).describe('Allow the principal who registered a model to approve it too (four eyes by default).'),
    cacheTtlMs: z.int().min(0).max(60_000).default(5_000).describe('How long the gate reuses a registry read; changes on this instance apply at once.'),
  })
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    m.signers.forEach((s, i) => {
      if (seen.has(s.name)) ctx.addIssue({ code: 'custom', path: ['signers', i, 'name'], message: 'signer name is listed twice' });
      seen.add(s.name);
    });
  })
  .describe('Model integrity: trusted signers and publishers, and the deploy gate.');

export type ModelsConfig = z.output<typeof modelsConfigSchema>;

/** `deployments[].model`: the registered model a deployment serves, and what it must have passed. */
export const deploymentModelSchema = z
  .union([
    z.string().regex(MODEL_NAME, 'a registered model name'),
    z.strictObject({
      name: z.string().regex(MODEL_NAME, 'a registered model name'),
      digest: z.string().regex(ROOT_DIGEST, 'sha256:<64 hex digits>').optional().describe('Pin one registered version by its root digest.'),
      require: z.array(z.enum(MODEL_REQUIREMENTS)).optional().describe('Overrides models.require for this deployment ([] for none).'),
    }),
  ])
  .describe('The registered model this deployment serves: the gateway refuses calls until it has passed verification.');

export type DeploymentModelConfig = z.output<typeof deploymentModelSchema>;
