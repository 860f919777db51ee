import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Plugin as YogaPlugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import {
  identityCodec,
  pluginProblem,
  type AuditSink,
  type ContentCodec,
  type CustomPatternEngine,
  type PluginEntry,
  type PluginSetupContext,
  type Redactor,
  type TokentraceConfig,
  type TokentracePlugin,
} from '../../plugins/core/index';
import { useAudit } from '../../plugins/audit/index';
import { useEncryption } from '../../plugins/encryption/index';
import { useRedaction } from '../../plugins/redaction/index';
import type { Config } from '../config';
import { pluginFiles } from './plugin-files';

// Reads the plugin list from tokentrace.config.ts (or TOKENTRACE_CONFIG), builds each plugin and
// checks it against the contract. Any problem stops the start with a message naming the plugin.

export const DEFAULT_CONFIG_FILE = 'tokentrace.config.ts';

export interface LoadedRedactor {
  plugin: string;
  redactor: Redactor;
}

export interface LoadedPlugins {
  names: string[];
  /** In config order; within a plugin, in its array order. */
  redactors: LoadedRedactor[];
  codec: ContentCodec;
  auditSinks: AuditSink[];
  yoga: YogaPlugin[];
  /** The engine for project custom patterns, from the one plugin that sets `customPatterns`. */
  customPatterns?: { plugin: string; engine: CustomPatternEngine };
  /** Where the list came from: a file path, or `defaults`. */
  source: string;
}

export class PluginLoadError extends Error {
  override name = 'PluginLoadError';
}

/** The built-ins, on when no config file says otherwise. */
export function defaultPluginEntries(): PluginEntry[] {
  return [useRedaction(), useEncryption(), useAudit()];
}

async function readConfigFile(config: Config): Promise<{ entries: PluginEntry[]; source: string }> {
  const explicit = config.configFile;
  const file = resolve(explicit ?? DEFAULT_CONFIG_FILE);
  if (!existsSync(file)) {
    if (explicit) throw new PluginLoadError(`TOKENTRACE_CONFIG: ${file} does not exist`);
    return { entries: defaultPluginEntries(), source: 'defaults' };
  }
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (err) {
    throw new PluginLoadError(`${file} could not be loaded: ${err instanceof Error ? err.message : String(err)}`);
  }
  const value = mod.default as Partial<TokentraceConfig> | undefined;
  if (!value || !Array.isArray(value.plugins)) {
    throw new PluginLoadError(`${file} must default-export defineConfig({ plugins: [...] })`);
  }
  return { entries: value.plugins, source: file };
}

/** The contract checks live in plugins/core, so the testkit refuses exactly what the loader does. */
function checkPlugin(plugin: TokentracePlugin, label: string): void {
  const problem = pluginProblem(plugin, label);
  if (problem) throw new PluginLoadError(problem);
}

export async function loadPlugins(config: Config, logger: Logger, entriesOverride?: PluginEntry[]): Promise<LoadedPlugins> {
  const { entries, source } = entriesOverride ? { entries: entriesOverride, source: 'inline' } : await readConfigFile(config);
  const setup: PluginSetupContext = {
    env: config.env,
    dataDir: config.dataDir,
    encryptionKeys: config.encryptionKeys,
    warn: (message) => logger.warn(message),
    ...pluginFiles(config.dataDir, (message) => logger.warn(message)),
  };
  const loaded: LoadedPlugins = { names: [], redactors: [], codec: identityCodec, auditSinks: [], yoga: [], source };
  let codecOwner: string | undefined;
  for (const [index, entry] of entries.entries()) {
    const given = typeof entry === 'function' ? entry.name : entry?.name;
    const label = given ? `plugin "${given}"` : `plugin #${index + 1}`;
    let plugin: TokentracePlugin;
    try {
      plugin = typeof entry === 'function' ? await entry(setup) : entry;
    } catch (err) {
      throw new PluginLoadError(`${label} failed to load: ${err instanceof Error ? err.message : String(err)}`);
    }
    checkPlugin(plugin, label);
    if (loaded.names.includes(plugin.name)) throw new PluginLoadError(`plugin "${plugin.name}" is listed twice`);
    if (plugin.codec) {
      if (codecOwner) throw new PluginLoadError(`plugins "${codecOwner}" and "${plugin.name}" both set a codec; keep one`);
      codecOwner = plugin.name;
      loaded.codec = plugin.codec;
    }
    if (plugin.customPatterns) {
      if (loaded.customPatterns) throw new PluginLoadError(`plugins "${loaded.customPatterns.plugin}" and "${plugin.name}" both set customPatterns; keep one`);
      loaded.customPatterns = { plugin: plugin.name, engine: plugin.customPatterns };
    }
    loaded.names.push(plugin.name);
    loaded.redactors.push(...(plugin.redactors ?? []).map((redactor) => ({ plugin: plugin.name, redactor })));
    loaded.auditSinks.push(...(plugin.auditSinks ?? []));
    loaded.yoga.push(...((plugin.yoga ?? []) as YogaPlugin[]));
  }
  return loaded;
}
