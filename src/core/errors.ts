/**
 * Coded errors. Every failure Rampart reports has a stable code; one table maps the code to its
 * HTTP status, its OpenAI-style error `type`, and the public message clients see. The public
 * message never contains config values, secrets or stack traces; `detail` may add safe,
 * request-specific context (a JSON path, a deployment name the caller sent).
 *
 * docs/errors.md lists every code; test/core/errors-docs.test.ts fails when one is missing.
 */

export interface ErrorSpec {
  readonly status: number;
  /** OpenAI error `type` used on the data plane. */
  readonly type:
    | 'invalid_request_error'
    | 'authentication_error'
    | 'permission_error'
    | 'not_found_error'
    | 'rate_limit_error'
    | 'api_error'
    | 'server_error';
  readonly message: string;
}

export const ERROR_CODES = {
  // --- request shape
  RAMPART_BAD_JSON: { status: 400, type: 'invalid_request_error', message: 'The request body is not valid JSON.' },
  RAMPART_INVALID_REQUEST: { status: 400, type: 'invalid_request_error', message: 'The request is invalid.' },
  RAMPART_BODY_TOO_LARGE: { status: 413, type: 'invalid_request_error', message: 'The request body is larger than the configured limit.' },
  RAMPART_UNSUPPORTED_MEDIA_TYPE: { status: 415, type: 'invalid_request_error', message: 'The request body must be application/json.' },
  RAMPART_ROUTE_NOT_FOUND: { status: 404, type: 'not_found_error', message: 'No such route.' },
  RAMPART_METHOD_NOT_ALLOWED: { status: 405, type: 'invalid_request_error', message: 'Method not allowed on this route.' },
  RAMPART_NOT_FOUND: { status: 404, type: 'not_found_error', message: 'The resource does not exist.' },
  RAMPART_UNKNOWN_DEPLOYMENT: { status: 404, type: 'not_found_error', message: 'The model (deployment) does not exist or you do not have access to it.' },
  RAMPART_UNSUPPORTED_OPERATION: { status: 400, type: 'invalid_request_error', message: 'This deployment does not support the requested operation.' },
  RAMPART_CONFLICT: { status: 409, type: 'invalid_request_error', message: 'The request conflicts with the current state of the resource.' },

  // --- authentication
  RAMPART_AUTH_MISSING: { status: 401, type: 'authentication_error', message: 'Authentication is required: send a bearer token or an API key.' },
  RAMPART_AUTH_MALFORMED: { status: 401, type: 'authentication_error', message: 'The credential is malformed.' },
  RAMPART_AUTH_INVALID_TOKEN: { status: 401, type: 'authentication_error', message: 'The bearer token is not valid.' },
  RAMPART_AUTH_TOKEN_EXPIRED: { status: 401, type: 'authentication_error', message: 'The bearer token has expired.' },
  RAMPART_AUTH_TOKEN_NOT_YET_VALID: { status: 401, type: 'authentication_error', message: 'The bearer token is not valid yet.' },
  RAMPART_AUTH_UNTRUSTED_ISSUER: { status: 401, type: 'authentication_error', message: 'The bearer token was not issued by a trusted identity provider.' },
  RAMPART_AUTH_WRONG_AUDIENCE: { status: 401, type: 'authentication_error', message: 'The bearer token was not issued for this gateway.' },
  RAMPART_AUTH_ALG_NOT_ALLOWED: { status: 401, type: 'authentication_error', message: 'The bearer token is signed with an algorithm that is not allowed.' },
  RAMPART_AUTH_INVALID_KEY: { status: 401, type: 'authentication_error', message: 'The API key is not valid.' },
  RAMPART_AUTH_KEY_REVOKED: { status: 401, type: 'authentication_error', message: 'The API key has been revoked.' },
  RAMPART_AUTH_KEY_EXPIRED: { status: 401, type: 'authentication_error', message: 'The API key has expired.' },
  RAMPART_AUTH_KEYS_DISABLED: { status: 401, type: 'authentication_error', message: 'API keys are disabled on this gateway: sign in through the identity provider.' },
  RAMPART_AUTH_TOKEN_TOO_LARGE: { status: 401, type: 'authentication_error', message: 'The bearer token is larger than this gateway accepts.' },
  RAMPART_AUTH_IDP_UNAVAILABLE: { status: 503, type: 'server_error', message: 'The identity provider could not be reached to verify the token.' },
  RAMPART_AUTH_IDP_MISCONFIGURED: { status: 503, type: 'server_error', message: 'The identity provider metadata does not match this gateway configuration.' },
  RAMPART_AUTH_UNTRUSTED_TENANT: { status: 401, type: 'authentication_error', message: 'The bearer token was issued for a tenant this gateway does not trust.' },
  RAMPART_AUTH_WRONG_TOKEN_TYPE: { status: 401, type: 'authentication_error', message: 'The bearer token is not an access token of a type this gateway accepts (typ).' },
  RAMPART_AUTH_INVALID_DPOP_PROOF: { status: 401, type: 'authentication_error', message: 'The DPoP proof is not valid.' },
  RAMPART_AUTH_WORKLOAD_NOT_TRUSTED: { status: 401, type: 'authentication_error', message: 'No workload trust rule accepts this token (audience, subject or claims do not match).' },

  // --- authorization
  RAMPART_FORBIDDEN: { status: 403, type: 'permission_error', message: 'You do not have permission to perform this action.' },
  RAMPART_ACCESS_BLOCKED: { status: 403, type: 'permission_error', message: 'A conditional access rule does not allow this request.' },
  RAMPART_STEP_UP_REQUIRED: { status: 401, type: 'authentication_error', message: 'A stronger or more recent sign-in is required for this request.' },
  RAMPART_STEP_UP_NOT_POSSIBLE: { status: 403, type: 'permission_error', message: 'This request requires a user sign-in of a given strength, which an API key cannot provide.' },

  // --- guard
  RAMPART_GUARD_BLOCKED: { status: 400, type: 'invalid_request_error', message: 'The request was blocked by the guard policy.' },
  RAMPART_GUARD_OUTPUT_BLOCKED: { status: 502, type: 'api_error', message: 'The answer was withheld by the guard policy.' },
  RAMPART_GUARD_UNKNOWN_DETECTOR: { status: 500, type: 'server_error', message: 'A guard profile names a detector that does not exist.' },
  RAMPART_GUARD_DUPLICATE_DETECTOR: { status: 500, type: 'server_error', message: 'Two detectors share one id.' },
  RAMPART_GUARD_UNKNOWN_PROFILE: { status: 500, type: 'server_error', message: 'A guard profile is named that does not exist.' },
  RAMPART_TOOL_NOT_ALLOWED: { status: 400, type: 'invalid_request_error', message: 'The request offers the model a tool that the tool policy does not allow.' },
  RAMPART_TOOL_DEFINITION_CHANGED: { status: 400, type: 'invalid_request_error', message: 'A tool definition differs from the one pinned by the tool policy.' },
  RAMPART_TOOL_CALL_BLOCKED: { status: 502, type: 'api_error', message: 'The answer was withheld: a tool call broke the tool policy.' },

  // --- limits
  RAMPART_RATE_LIMITED: { status: 429, type: 'rate_limit_error', message: 'Rate limit reached: retry after the time in the Retry-After header.' },
  RAMPART_BUDGET_EXCEEDED: { status: 429, type: 'rate_limit_error', message: 'The monthly token budget is exhausted.' },

  // --- upstream
  RAMPART_UPSTREAM_UNAVAILABLE: { status: 502, type: 'api_error', message: 'No upstream target of this deployment could be reached.' },
  RAMPART_UPSTREAM_TIMEOUT: { status: 504, type: 'api_error', message: 'The upstream did not answer in time.' },
  RAMPART_UPSTREAM_ERROR: { status: 502, type: 'api_error', message: 'The upstream answered with an error.' },
  RAMPART_REQUEST_TIMEOUT: { status: 504, type: 'api_error', message: "The request did not complete within the gateway's time limit (server.requestTimeoutMs)." },
  RAMPART_CLIENT_CLOSED: { status: 499, type: 'api_error', message: 'The client closed the connection before the answer was complete (recorded, never sent).' },
  RAMPART_UPSTREAM_CREDENTIAL_UNAVAILABLE: { status: 502, type: 'api_error', message: 'The gateway could not obtain a credential for the upstream from its identity provider.' },
  RAMPART_UPSTREAM_BAD_RESPONSE: { status: 502, type: 'api_error', message: 'The upstream answered with something that is not a valid response.' },

  // --- configuration (start-up and CLI; never sent to data-plane clients)
  RAMPART_CONFIG_INVALID: { status: 500, type: 'server_error', message: 'The configuration is invalid.' },
  RAMPART_CONFIG_REF_UNRESOLVED: { status: 500, type: 'server_error', message: 'A ${env:} or ${file:} reference in the configuration could not be resolved.' },
  RAMPART_CONFIG_NOT_FOUND: { status: 500, type: 'server_error', message: 'The configuration file was not found.' },

  // --- storage
  RAMPART_STORE_UNAVAILABLE: { status: 503, type: 'server_error', message: 'The store is not available.' },
  RAMPART_STORE_LOCKED: { status: 503, type: 'server_error', message: 'The embedded data directory is in use by another Rampart process.' },
  RAMPART_STORE_MIGRATION_FAILED: { status: 500, type: 'server_error', message: 'A database migration failed.' },
  RAMPART_COUNTERS_UNAVAILABLE: { status: 503, type: 'server_error', message: 'The limit counters are not available.' },

  // --- audit
  RAMPART_AUDIT_CHAIN_BROKEN: { status: 500, type: 'server_error', message: 'The audit hash chain does not verify.' },

  // --- lifecycle
  RAMPART_NOT_READY: { status: 503, type: 'server_error', message: 'Rampart is not ready to serve requests.' },
  RAMPART_INTERNAL: { status: 500, type: 'server_error', message: 'Internal error.' },

  // --- just-in-time access
  RAMPART_ELEVATION_SELF_APPROVAL: { status: 403, type: 'permission_error', message: 'An elevation must be approved or denied by someone other than its requester.' },

  // --- agents and API key hygiene
  RAMPART_AGENT_SUSPENDED: { status: 403, type: 'permission_error', message: 'This agent is suspended in the agent inventory.' },
  RAMPART_AGENT_EXPIRED: { status: 403, type: 'permission_error', message: 'This agent\'s registration has expired.' },
  RAMPART_AGENT_UNREGISTERED: { status: 403, type: 'permission_error', message: 'This agent is not registered in the agent inventory.' },
  RAMPART_SANDBOX_UNAVAILABLE: { status: 503, type: 'server_error', message: 'Code execution is not available: the sandbox backend cannot isolate code on this machine.' },
  RAMPART_SANDBOX_SESSION_LIMIT: { status: 429, type: 'rate_limit_error', message: 'Too many concurrent sandbox sessions: end one or wait for it to expire.' },
  RAMPART_SANDBOX_CODE_NOT_APPROVED: { status: 403, type: 'permission_error', message: 'This code is not in the approval registry, and only approved code may run for this caller.' },
  RAMPART_SANDBOX_LANGUAGE_NOT_ALLOWED: { status: 400, type: 'invalid_request_error', message: 'This language is not enabled for code execution.' },
  RAMPART_SANDBOX_FILE_REFUSED: { status: 400, type: 'invalid_request_error', message: 'The file path or file is refused (outside the session, not a regular file, or too large).' },
  RAMPART_MODEL_NOT_VERIFIED: { status: 403, type: 'permission_error', message: 'The model behind this deployment has not passed verification (scan, signature, approval): it is not served.' },
  RAMPART_AGENT_TOOL_NOT_ALLOWED: { status: 403, type: 'permission_error', message: 'This agent is not registered for a tool the request defines (allowedTools).' },
  RAMPART_AUTH_KEY_NETWORK: { status: 403, type: 'permission_error', message: 'The API key may not be used from this network.' },
  RAMPART_KEY_POLICY: { status: 400, type: 'invalid_request_error', message: 'The API key does not meet the key policy (auth.apiKeyPolicy).' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface RampartErrorOptions {
  /** Safe, specific context appended to the public message (never secrets or config values). */
  detail?: string;
  /** Overrides the table's status (e.g. an upstream 4xx passed through). */
  status?: number;
  /** Extra response headers (Retry-After, WWW-Authenticate, x-ratelimit-*). */
  headers?: Record<string, string>;
  /** Internal cause: logged, never sent to the client. */
  cause?: unknown;
  /** The OpenAI `param` field. */
  param?: string;
}

export class RampartError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: string | undefined;
  readonly headers: Record<string, string>;
  readonly param: string | undefined;

  constructor(code: ErrorCode, options: RampartErrorOptions = {}) {
    const spec = ERROR_CODES[code];
    super(options.detail ? `${spec.message} ${options.detail}` : spec.message, { cause: options.cause });
    this.name = 'RampartError';
    this.code = code;
    this.status = options.status ?? spec.status;
    this.detail = options.detail;
    this.headers = options.headers ?? {};
    this.param = options.param;
  }

  get type(): ErrorSpec['type'] {
    return ERROR_CODES[this.code].type;
  }

  /** The message safe to show to clients. */
  get publicMessage(): string {
    return this.message;
  }
}

export function isRampartError(e: unknown): e is RampartError {
  return e instanceof RampartError;
}

/** Any thrown value as a RampartError; unknown errors become RAMPART_INTERNAL with no detail. */
export function toRampartError(e: unknown): RampartError {
  if (e instanceof RampartError) return e;
  return new RampartError('RAMPART_INTERNAL', { cause: e });
}

/** OpenAI-style error body for the data plane. */
export function openAiErrorBody(err: RampartError): { error: { message: string; type: string; code: string; param: string | null } } {
  return { error: { message: err.publicMessage, type: err.type, code: err.code, param: err.param ?? null } };
}

/** RFC 9457 problem+json body for the admin API. */
export function problemBody(err: RampartError, instance?: string): Record<string, unknown> {
  return {
    type: `urn:rampart:error:${err.code}`,
    title: ERROR_CODES[err.code].message,
    status: err.status,
    code: err.code,
    detail: err.publicMessage,
    ...(instance ? { instance } : {}),
  };
}
