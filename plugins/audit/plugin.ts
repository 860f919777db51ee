import { definePlugin, type AuditSink, type PluginSetupContext } from '../core/index';
import { fileSink, streamSink } from './json-lines-sink';

export interface UseAuditOptions {
  /**
   * Where to export each committed audit event as a JSON line, for a SIEM: `'stdout'`, or
   * `{ file: '/var/log/tokentrace/audit.jsonl' }`.
   * @default none — entries are still recorded in the database
   */
  sink?: 'stdout' | { file: string };
}

function sinksFor(sink: UseAuditOptions['sink'], ctx: PluginSetupContext): AuditSink[] {
  if (sink === undefined) return [];
  if (sink === 'stdout') return [streamSink(process.stdout)];
  if (sink && typeof sink === 'object' && typeof sink.file === 'string' && sink.file.trim() !== '') return [fileSink(ctx.appendOnlyFile(sink.file))];
  throw new Error(`sink must be 'stdout' or { file: '<path>' } (got ${JSON.stringify(sink)})`);
}

/**
 * The built-in audit plugin: exports audit events to stdout or a file. Recording itself (in the
 * same transaction as each change, hash-chained, append-only by trigger) is part of the server
 * and stays on without this plugin: leaving a plugin out of the config must not switch off the
 * audit trail, only its export.
 */
export function useAudit(options: UseAuditOptions = {}) {
  // A named factory: a bad option or path stops the start with the plugin named.
  return definePlugin(function audit(ctx: PluginSetupContext) {
    return { name: 'audit', auditSinks: sinksFor(options.sink, ctx) };
  });
}
