/**
 * The complete rampart.yaml schema: the config layer's schema with the deployment targets of every
 * registered provider. Used by `serve`, `config check|schema`, tests and the docs generator.
 */
import { z } from 'zod';
import { buildConfigSchema, type ConfigSchema, type RampartConfig } from '../config/schema.ts';
import { loadConfigFile, loadConfigText, type LoadOptions } from '../config/load.ts';
import { providerRegistry } from '../gateway/providers/registry.ts';

let schema: ConfigSchema | undefined;

export function rampartConfigSchema(): ConfigSchema {
  return (schema ??= buildConfigSchema(providerRegistry.list()));
}

export function loadConfig(file: string, opts: LoadOptions = {}): RampartConfig {
  return loadConfigFile(rampartConfigSchema(), file, opts);
}

export function parseConfig(text: string, baseDir = process.cwd(), opts: LoadOptions = {}): RampartConfig {
  return loadConfigText(rampartConfigSchema(), text, baseDir, opts);
}

/** JSON Schema (draft 2020-12) of what users write, i.e. the schema's input side. */
export function configJsonSchema(): Record<string, unknown> {
  const json = z.toJSONSchema(rampartConfigSchema(), { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...json, $id: 'urn:rampart:config', title: 'rampart.yaml' };
}
