import type { Plugin as YogaPlugin } from 'graphql-yoga';
import type { ContentCodec } from './codec';
import type { Redactor } from './redaction/types';

export type { RedactContext, RedactionHit, RedactionProject, RedactionResult, Redactor } from './redaction/types';

// The contract every plugin — built-in or third-party — is written against.
//
// Hook order for a span at ingest: validate → each plugin's redactors, in the order the
// plugins are listed in the config (within a plugin, in array order), then the project's custom
// patterns → cost → the single active codec's encode → store → audit sinks (after commit, for
// admin changes). A redactor that throws or overruns the per-span budget rejects that span.

export interface AuditEvent {
  id: string;
  at: Date;
  projectId: string | null;
  action: string;
  actor: { type: string; id: string | null; label: string | null };
  targetType: string;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  details: unknown;
  /**
   * The entry's link in its hash chain: `v2:<key id>:<HMAC-SHA256 hex>`, signed with the
   * server's audit key over the entry's content and `prevHash` (a bare SHA-256 hex for entries
   * written before the key existed). An exported entry is a signed checkpoint: the database must
   * still hold it, so keeping the newest one outside shows whether newest entries were removed.
   */
  hash?: string;
  /** The link of the entry before it in the same chain; null for a chain's first entry. */
  prevHash?: string | null;
}

export interface AuditSink {
  name: string;
  /** Called after the change committed; a failing sink is logged, never rolls anything back. */
  write(event: AuditEvent): void | Promise<void>;
}

export interface TokentracePlugin {
  /** kebab-case, unique among loaded plugins. */
  name: string;
  /** GraphQL-lifecycle hooks (envelop/yoga plugins). */
  yoga?: YogaPlugin[];
  /** Applied to span content before storage. */
  redactors?: Redactor[];
  /** How content and secrets are stored (encryption at rest). At most one plugin may set it. */
  codec?: ContentCodec;
  /** Receive each committed audit event (export to a SIEM). */
  auditSinks?: AuditSink[];
  /**
   * Compiles the patterns a project saves in its settings (`customPatterns`). At most one plugin
   * may set it; without one, a project cannot save custom patterns, and spans of a project that
   * has some are rejected rather than stored unredacted.
   */
  customPatterns?: CustomPatternEngine;
}

/** A project's own pattern, as saved with `updateProjectSettings`. */
export interface CustomPatternSpec {
  /** The rule name shown in `Span.redactions`: kebab-case. */
  name: string;
  pattern: string;
}

/**
 * How project custom patterns are checked and run. Patterns are written by project admins, and
 * span content by anyone holding an ingest key: the engine must match in linear time, and the
 * server still runs it where it can stop it (see `workerModule`).
 */
export interface CustomPatternEngine {
  /** The syntax it accepts, named in error messages and docs, e.g. `RE2`. */
  syntax: string;
  /** Save-time check: why the pattern cannot be used (the API answers BAD_USER_INPUT), or undefined. */
  check(pattern: string): string | undefined;
  /** The redactor for one pattern, replacing each match with `[REDACTED:<name>]`; throws on a pattern `check` refuses. */
  compile(spec: CustomPatternSpec): Redactor;
  /**
   * A `file:` URL of an ES module whose `customPatternEngine` export is this engine. With it, the
   * server runs custom patterns in a worker thread that it terminates at the request's redaction
   * deadline, so no pattern and no input can stall the event loop. Without it they run on the
   * event loop under the per-span budget, which is checked between calls only.
   */
  workerModule?: string;
}

/** What a plugin factory may read while the server starts. */
export interface PluginSetupContext {
  env: 'development' | 'production' | 'test';
  /** The server's data folder (embedded database, generated local key file). */
  dataDir: string;
  /** `TOKENTRACE_ENCRYPTION_KEYS`, when set. */
  encryptionKeys: string | undefined;
  warn(message: string): void;
  /**
   * A secret kept in the data folder (`<dataDir>/<name>`, e.g. a generated key ring): its text,
   * created from `create()` on first use — durably, mode 0600, never replacing an existing file,
   * one winner when processes start together — warning `createdWarning(path)` then. Plugins use
   * this instead of node:fs (they import node:crypto only).
   */
  localSecretFile(name: string, create: () => string, createdWarning: (path: string) => string): LocalSecretFile;
  /** A file to append lines to (created mode 0600 at once, so a bad path fails the start; reopened per write, so log rotation needs no signal). */
  appendOnlyFile(path: string): AppendOnlyFile;
}

export interface LocalSecretFile {
  /** Where it is, for messages. */
  path: string;
  text: string;
}

export interface AppendOnlyFile {
  /** The absolute path. */
  path: string;
  append(text: string): Promise<void>;
}

/** A plugin, or a function that builds one when the server starts (and may throw to stop it). */
export type PluginEntry = TokentracePlugin | ((ctx: PluginSetupContext) => TokentracePlugin | Promise<TokentracePlugin>);

/** Identity at run time; gives plugin authors full typing. */
export const definePlugin = <P extends PluginEntry>(plugin: P): P => plugin;
