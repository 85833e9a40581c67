/**
 * Claims shaped like the tokens real platforms issue, to be signed by a LocalIdp: Entra ID v1 and
 * v2 (user, app-only, Agent ID), Kubernetes projected service-account tokens and GitHub Actions
 * OIDC tokens. Values follow the vendors' published samples; ids are made up.
 */
import type { JWTPayload } from 'jose';

export const TENANT_A = '11111111-aaaa-4aaa-8aaa-111111111111';
export const TENANT_B = '22222222-bbbb-4bbb-8bbb-222222222222';
export const USER_OID = 'aaaaaaaa-0000-4000-8000-00000000a11c';
export const APP_ID = 'cccccccc-0000-4000-8000-0000000000a9';
export const APP_SP_OID = 'dddddddd-0000-4000-8000-0000000000a9';
export const AGENT_APP_ID = 'eeeeeeee-0000-4000-8000-00000000a6e7';
export const BLUEPRINT_APP_ID = 'ffffffff-0000-4000-8000-0000000b1e50';

/** An Entra ID v2 delegated (user) token: `scp`, `azp`, `oid`, `tid`, app roles in `roles`. */
export function entraV2User(iss: string, aud: string, extra: JWTPayload = {}): JWTPayload {
  return {
    iss,
    aud,
    ver: '2.0',
    tid: TENANT_A,
    oid: USER_OID,
    sub: 'pairwise-sub-for-this-app',
    azp: APP_ID,
    azpacr: '0',
    scp: 'chat.invoke models.read',
    roles: ['AI.User'],
    name: 'Alice Example',
    preferred_username: 'alice@example.com',
    acr: '1',
    amr: ['pwd', 'mfa'],
    acrs: ['c1'],
    ...extra,
  };
}

/** An Entra ID v1 app-only token (client credentials with a certificate): `appid`, `appidacr: 2`, no `scp`. */
export function entraV1App(iss: string, aud: string, extra: JWTPayload = {}): JWTPayload {
  return {
    iss,
    aud,
    ver: '1.0',
    tid: TENANT_A,
    oid: APP_SP_OID,
    sub: APP_SP_OID,
    appid: APP_ID,
    appidacr: '2',
    idtyp: 'app',
    roles: ['AI.Batch'],
    ...extra,
  };
}

/** An Entra Agent ID token of an agent acting autonomously (Microsoft's published sample shape). */
export function entraAgentAutonomous(iss: string, aud: string, extra: JWTPayload = {}): JWTPayload {
  return {
    ...entraV1App(iss, aud),
    appid: AGENT_APP_ID,
    xms_act_fct: '3 9 11',
    xms_sub_fct: '9 3 11',
    xms_tnt_fct: '3 9',
    xms_par_app_azp: BLUEPRINT_APP_ID,
    roles: ['AI.Agent'],
    ...extra,
  };
}

/** An Entra Agent ID token of an agent acting for a signed-in user (delegated: `scp`, the user's `oid`). */
export function entraAgentForUser(iss: string, aud: string, extra: JWTPayload = {}): JWTPayload {
  return {
    ...entraV2User(iss, aud),
    azp: AGENT_APP_ID,
    azpacr: '2',
    idtyp: 'user',
    xms_act_fct: '11',
    xms_sub_fct: '1',
    xms_par_app_azp: BLUEPRINT_APP_ID,
    ...extra,
  };
}

/** A Kubernetes projected service-account token (audience-bound, pod-bound). */
export function kubernetesServiceAccount(iss: string, aud: string, ns: string, sa: string, extra: JWTPayload = {}): JWTPayload {
  return {
    iss,
    aud: [aud],
    sub: `system:serviceaccount:${ns}:${sa}`,
    'kubernetes.io': {
      namespace: ns,
      serviceaccount: { name: sa, uid: '0f0e0d0c-0000-4000-8000-000000005a00' },
      pod: { name: `${sa}-7d9f8b-abcde`, uid: '0f0e0d0c-0000-4000-8000-00000000b0d0' },
    },
    ...extra,
  };
}

/** A GitHub Actions OIDC token for a workflow run. */
export function githubActions(iss: string, aud: string, repo: string, ref = 'refs/heads/main', extra: JWTPayload = {}): JWTPayload {
  const [owner] = repo.split('/');
  return {
    iss,
    aud,
    sub: `repo:${repo}:ref:${ref}`,
    ref,
    repository: repo,
    repository_owner: owner,
    repository_id: '123456',
    workflow: 'deploy',
    event_name: 'push',
    ref_type: 'branch',
    job_workflow_ref: `${repo}/.github/workflows/deploy.yml@${ref}`,
    runner_environment: 'github-hosted',
    ...extra,
  };
}
