/**
 * The slice of panva/oidc-provider (v9, shipped without type declarations) that
 * test/support/oidc-provider-idp.ts uses. The configuration is passed through as plain data.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export default class Provider {
    constructor(issuer: string, configuration?: Record<string, unknown>);
    /** A Node request listener serving every provider endpoint. */
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
  }
}
