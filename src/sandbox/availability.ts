/**
 * Whether the execution plane can run code: `sandbox.enabled` and a backend that can isolate code
 * on this machine. Fails closed: anything else answers RAMPART_SANDBOX_UNAVAILABLE, naming why.
 */
import { RampartError } from '../core/errors.ts';
import type { BackendStatus, SandboxBackend } from './backend.ts';

export interface Availability {
  status(): Promise<BackendStatus>;
  /** Throws RAMPART_SANDBOX_UNAVAILABLE when code cannot run. */
  assert(): Promise<void>;
}

export function availability(enabled: boolean, backend: SandboxBackend | null, whyNoBackend = 'no sandbox backend'): Availability {
  const status = async (): Promise<BackendStatus> => {
    if (!enabled) return { available: false, reason: 'sandbox.enabled is false', features: {} };
    if (backend === null) return { available: false, reason: whyNoBackend, features: {} };
    try {
      return await backend.status();
    } catch (e) {
      return { available: false, reason: `the backend status probe failed: ${e instanceof Error ? e.message : String(e)}`.slice(0, 500), features: {} };
    }
  };
  return {
    status,
    assert: async () => {
      const s = await status();
      if (!s.available) throw new RampartError('RAMPART_SANDBOX_UNAVAILABLE', { detail: `Reason: ${s.reason ?? 'unknown'}.` });
    },
  };
}
