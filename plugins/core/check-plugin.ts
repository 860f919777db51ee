import type { TokentracePlugin } from './plugin';

// The contract checks a built plugin must pass: the server's loader runs them at start, the
// testkit runs the same ones, so a plugin that passes its unit tests also loads.

/** kebab-case, 1–63 characters. */
export const PLUGIN_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * What is wrong with a built plugin, or undefined. `label` names it for the message before its
 * own name is known to be usable, e.g. `plugin "customerIds"` or `plugin #3`.
 */
export function pluginProblem(plugin: TokentracePlugin, label: string): string | undefined {
  if (!plugin || typeof plugin !== 'object') return `${label} is not a plugin object`;
  if (typeof plugin.name !== 'string' || !PLUGIN_NAME.test(plugin.name)) {
    return `${label}: name must be kebab-case (got ${JSON.stringify(plugin.name)})`;
  }
  if (plugin.redactors !== undefined && !Array.isArray(plugin.redactors)) return `plugin "${plugin.name}": redactors must be an array`;
  for (const r of plugin.redactors ?? []) {
    if (!r || typeof r.name !== 'string' || typeof r.redact !== 'function') {
      return `plugin "${plugin.name}": every redactor needs a name and a redact(text, ctx) function`;
    }
    if (r.appliesTo !== undefined && typeof r.appliesTo !== 'function') {
      return `plugin "${plugin.name}": redactor "${r.name}" has an appliesTo that is not a function`;
    }
  }
  if (plugin.codec && (typeof plugin.codec.encode !== 'function' || typeof plugin.codec.decode !== 'function')) {
    return `plugin "${plugin.name}": codec needs encode and decode functions`;
  }
  const keys = plugin.codec?.projectKeys;
  if (keys !== undefined && (!keys || ['create', 'open', 'rewrap'].some((f) => typeof (keys as unknown as Record<string, unknown>)[f] !== 'function'))) {
    return `plugin "${plugin.name}": codec.projectKeys needs create, open and rewrap functions`;
  }
  if (plugin.codec?.currentPrefix !== undefined && typeof plugin.codec.currentPrefix !== 'function') {
    return `plugin "${plugin.name}": codec.currentPrefix must be a function`;
  }
  const engine = plugin.customPatterns;
  if (engine !== undefined && (!engine || typeof engine.check !== 'function' || typeof engine.compile !== 'function' || typeof engine.syntax !== 'string')) {
    return `plugin "${plugin.name}": customPatterns needs a syntax name and check(pattern) and compile(spec) functions`;
  }
  if (engine?.workerModule !== undefined && (typeof engine.workerModule !== 'string' || !engine.workerModule.startsWith('file:'))) {
    return `plugin "${plugin.name}": customPatterns.workerModule must be a file: URL`;
  }
  for (const sink of plugin.auditSinks ?? []) {
    if (!sink || typeof sink.write !== 'function') return `plugin "${plugin.name}": audit sinks need a write(event) function`;
  }
  return undefined;
}

export { isRedactionResult } from './redaction/result-check';
