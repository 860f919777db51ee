// A plugin's redactors and codec, run the way the server runs them, without a server: for a
// plugin author's unit tests (any test runner).
//
//   const kit = await createPluginTestkit(customerIds({ codeNames: ['Bluebird'] }));
//   const { span, redactions } = kit.redactSpan({ input: 'CUST-123456 asked about Bluebird' });
//   // span.input === '[REDACTED:customer-id] asked about [REDACTED:code-name]'
//   // redactions  === [{ rule: 'customer-id', count: 1 }, { rule: 'code-name', count: 1 }]
//
// What matches the server: the factory is called with a setup context, the plugin is checked
// against the contract with the loader's own checks, and redaction runs the server's own engine
// (plugins/core/redaction: the same fields — input, output, metadata, statusMessage, trace
// metadata —, the same JSON walk, depth cap, result checks, hit attribution and per-span budget,
// 200 ms by default as the server's). The SDK runs that engine too. What differs on purpose: a
// failing redactor's error is rethrown with its own message (the server rejects the span and
// hides the message, which may quote content), and the project's custom patterns are not applied
// (they are settings, not plugins).
import { pluginProblem } from './check-plugin';
import { identityCodec, type CodecContext, type ContentCodec, type ProjectKeys } from './codec';
import { SpanRedaction, redactSpanContent } from './redaction/redact-span-content';
import { DEFAULT_PII_RULES, type RedactionHit } from './redaction/types';
import { ContentShapeError, RedactionTimeoutError, RedactorError } from './redaction/walk-json';
import { warmUpRedactors } from './warm-up';
import type { PluginEntry, PluginSetupContext, RedactContext, Redactor, TokentracePlugin } from './plugin';

export interface PluginTestkitOptions {
  /** The project setting redactors see as `ctx.piiRedaction`. @default false (a new project's) */
  piiRedaction?: boolean;
  /** Overrides for what a plugin factory receives (`env` is `test`, `dataDir` `memory://`). */
  setup?: Partial<PluginSetupContext>;
  /** `ctx.projectId` for redactors and the codec. @default 'test-project' */
  projectId?: string;
  /** Per-span redaction budget in ms, as TOKENTRACE_REDACTION_BUDGET_MS. @default 200 */
  budgetMs?: number;
  /** The built-in PII rules the project chose (`ctx.piiRules`). @default email, phone, card, secret */
  piiRules?: readonly string[];
}

/** The content fields of an ingested span; any other field is passed through untouched. */
export interface TestkitSpan {
  id?: string;
  input?: unknown;
  output?: unknown;
  metadata?: unknown;
  statusMessage?: string | null;
  trace?: { metadata?: unknown; [key: string]: unknown } | null;
  [key: string]: unknown;
}

export interface PluginTestkit {
  /** The built plugin, as the server would load it. */
  plugin: TokentracePlugin;
  /** What the factory passed to `ctx.warn`. */
  warnings: string[];
  /** What the plugin kept through `ctx.localSecretFile` or appended through `ctx.appendOnlyFile`, by path (in memory). */
  files: ReadonlyMap<string, string>;
  /** Redacts a span's input, output, metadata, status message and trace metadata with the plugin's redactors. */
  redactSpan<S extends TestkitSpan>(span: S): { span: S; redactions: RedactionHit[] };
  /** Redacts one string as span input (or the given field). */
  redactText(text: string, field?: RedactContext['field']): { text: string; redactions: RedactionHit[] };
  /** Content as stored: JSON bytes through the plugin's codec (identity when it has none). */
  encode(value: unknown, ctx?: Partial<CodecContext>): Uint8Array;
  /** The reverse of `encode`; throws as the codec does on tampered or misplaced values. */
  decode(stored: Uint8Array, ctx?: Partial<CodecContext>): unknown;
}

/** Thrown when a redactor throws or overruns the budget; `cause` holds the original error. */
export class TestkitRedactionError extends Error {
  override readonly name = 'TestkitRedactionError';
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Builds the plugin (calling its factory, if it is one) and returns the kit. */
export async function createPluginTestkit(entry: PluginEntry, options: PluginTestkitOptions = {}): Promise<PluginTestkit> {
  const warnings: string[] = [];
  // The file helpers over memory: what the plugin keeps or appends is in `kit.files`.
  const files = new Map<string, string>();
  const setup: PluginSetupContext = {
    env: 'test',
    dataDir: 'memory://',
    encryptionKeys: undefined,
    warn: (message) => warnings.push(message),
    localSecretFile(name, create, createdWarning) {
      const path = `memory://${name}`;
      if (!files.has(path)) {
        files.set(path, create());
        warnings.push(createdWarning(path));
      }
      return { path, text: files.get(path)! };
    },
    appendOnlyFile(path) {
      if (!files.has(path)) files.set(path, '');
      return { path, append: async (text) => void files.set(path, files.get(path) + text) };
    },
    ...options.setup,
  };
  const plugin = typeof entry === 'function' ? await entry(setup) : entry;
  const label = typeof entry === 'function' && entry.name ? `plugin "${entry.name}"` : 'plugin';
  const problem = pluginProblem(plugin, label);
  if (problem) throw new Error(problem);

  // As the server does: a regex's first run (its compilation) does not count against the budget.
  warmUpRedactors(plugin.redactors ?? []);

  const projectId = options.projectId ?? 'test-project';
  const budgetMs = options.budgetMs ?? 200;
  const codec: ContentCodec = plugin.codec ?? identityCodec;
  const piiRedaction = options.piiRedaction ?? false;
  const piiRules = options.piiRules ?? DEFAULT_PII_RULES;
  // As the server does: a redactor that says it has nothing to do for this project is skipped
  // (the server runs one whose appliesTo throws; here the author sees the error).
  const project = { projectId, piiRedaction, piiRules };
  const redactors: Redactor[] = (plugin.redactors ?? []).filter((redactor) => {
    if (typeof redactor.appliesTo !== 'function') return true;
    try {
      return redactor.appliesTo(project) !== false;
    } catch (err) {
      throw new TestkitRedactionError(`redactor "${redactor.name}" of plugin "${plugin.name}": appliesTo threw: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    }
  });
  const spanOptions = (spanId: string) => ({ projectId, spanId, piiRedaction, piiRules, budgetMs });

  /** The engine's failures, told to the plugin author with the redactor's own message. */
  function explain(err: unknown): never {
    if (err instanceof RedactorError) {
      if (err.reason === 'invalid-result') throw new TestkitRedactionError(err.message, { cause: err });
      const original = err.cause;
      throw new TestkitRedactionError(`redactor "${err.redactor.name}" of plugin "${plugin.name}" threw: ${(original as Error)?.message ?? String(original)}`, { cause: original });
    }
    if (err instanceof RedactionTimeoutError) {
      const who = err.running ? ` (redactor "${err.running.name}" was running)` : '';
      throw new TestkitRedactionError(`redaction took longer than the ${budgetMs} ms budget${who}: the server would reject this span`, { cause: err });
    }
    if (err instanceof ContentShapeError) throw new TestkitRedactionError(`${err.message}: the server would reject this span`, { cause: err });
    throw err;
  }

  // As the server does for a codec with per-project keys: each project gets a data key when it
  // is first seen, and every call of that project carries the opened set.
  const keysByProject = new Map<string, ProjectKeys>();
  const keysFor = (id: string): ProjectKeys | undefined => {
    const hooks = codec.projectKeys;
    if (!hooks) return undefined;
    let keys = keysByProject.get(id);
    if (!keys) {
      keys = hooks.open(id, [hooks.create(id)]);
      keysByProject.set(id, keys);
    }
    return keys;
  };
  const codecContext = (ctx: Partial<CodecContext> = {}): CodecContext => {
    const full: CodecContext = { projectId, table: 'spans', rowId: 'test-span', column: 'input', ...ctx };
    const keys = 'keys' in ctx ? ctx.keys : keysFor(full.projectId);
    return keys ? { ...full, keys } : full;
  };

  return {
    plugin,
    warnings,
    files,
    redactSpan<S extends TestkitSpan>(span: S) {
      try {
        return redactSpanContent(span, redactors, spanOptions(span.id ?? 'test-span'));
      } catch (err) {
        return explain(err);
      }
    },
    redactText(text, field = 'input') {
      try {
        const run = new SpanRedaction(redactors, spanOptions('test-span'));
        const out = run.field(text, field) as string;
        return { text: out, redactions: run.finish() };
      } catch (err) {
        return explain(err);
      }
    },
    encode(value, ctx) {
      return codec.encode(encoder.encode(JSON.stringify(value)), codecContext(ctx));
    },
    decode(stored, ctx) {
      return JSON.parse(decoder.decode(codec.decode(stored, codecContext(ctx))));
    },
  };
}
