import type { Plugin as YogaPlugin } from 'graphql-yoga';
import type { ContentCodec } from './codec';

// The contract every plugin — built-in or third-party — is written against.
//
// Hook order for a span at ingest: validate → each plugin's redactors, in the order the
// plugins are listed in the config (within a plugin, in array order), then the project's custom
// patterns → cost → the single active codec's encode → store → audit sinks (after commit, for
// admin changes). A redactor that throws or overruns the per-span budget rejects that span.

/** Where a piece of text sits, so a rule may decide per field. */
export interface RedactContext {
  projectId: string;
  spanId: string;
  /**
   * `input`, `output`, `metadata` (span or trace metadata) or `statusMessage` (an error's
   * message, which often quotes the input it choked on).
   */
  field: 'input' | 'output' | 'metadata' | 'statusMessage';
  /** The project's `piiRedaction` setting: PII rules apply only when it is on. */
  piiRedaction: boolean;
}

export interface RedactionResult {
  text: string;
  /** How many matches were replaced. Never the matched text. */
  hits: number;
}

export interface Redactor {
  /** Shown in `Span.redactions[].rule`, e.g. `email`, `card`, `customer-id`. */
  name: string;
  redact(text: string, ctx: RedactContext): RedactionResult;
  /**
   * Whether the redactor has anything to do for a project, asked once per ingest request. Omit
   * it to run on every project. The server skips a redactor that answers false, and a request
   * whose redactors all answer false is stored without walking its content at all (the PII rules
   * answer `piiRedaction`, off by default). If it throws, the redactor runs.
   */
  appliesTo?(project: { projectId: string; piiRedaction: boolean }): boolean;
}

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
}

/** What a plugin factory may read while the server starts. */
export interface PluginSetupContext {
  env: 'development' | 'production' | 'test';
  /** The server's data folder (embedded database, generated local key file). */
  dataDir: string;
  /** `TOKENTRACE_ENCRYPTION_KEYS`, when set. */
  encryptionKeys: string | undefined;
  warn(message: string): void;
}

/** A plugin, or a function that builds one when the server starts (and may throw to stop it). */
export type PluginEntry = TokentracePlugin | ((ctx: PluginSetupContext) => TokentracePlugin | Promise<TokentracePlugin>);

/** Identity at run time; gives plugin authors full typing. */
export const definePlugin = <P extends PluginEntry>(plugin: P): P => plugin;
