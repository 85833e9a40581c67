/**
 * Opens the backend `sandbox.backend` names. A backend that cannot be built is reported as
 * unavailable (with why), never as a crash at start-up: the rest of the gateway keeps serving.
 */
import type { Logger } from 'pino';
import type { SandboxConfig } from '../config/sandbox.ts';
import type { SandboxBackend } from './backend.ts';
import { createBwrapBackend } from './backends/bwrap/index.ts';

export async function loadBackend(config: Pick<SandboxConfig, 'backend' | 'bwrap'>, logger: Logger): Promise<{ backend: SandboxBackend | null; reason: string | null }> {
  try {
    switch (config.backend) {
      case 'bwrap':
        return { backend: createBwrapBackend({ ...config.bwrap, logger }), reason: null };
    }
  } catch (err) {
    logger.error({ err, backend: config.backend }, 'sandbox backend could not be built');
    return { backend: null, reason: `the ${config.backend} backend could not be built: ${err instanceof Error ? err.message : String(err)}`.slice(0, 500) };
  }
}
