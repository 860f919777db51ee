// A plugin's redactors and codec, run the way the server runs them, without a server: for a
// plugin author's unit tests (any test runner).
//
//   const kit = await createPluginTestkit(customerIds({ codeNames: ['Bluebird'] }));
//   const { span, redactions } = kit.redactSpan({ input: 'CUST-123456 asked about Bluebird' });
//   // span.input === '[REDACTED:customer-id] asked about [REDACTED:code-name]'
//   // redactions  === [{ rule: 'customer-id', count: 1 }, { rule: 'code-name', count: 1 }]
//
// What matches the server: the factory is called with a setup context, the plugin is checked
// against the contract with the loader's own checks, and redaction walks the same fields (input,
// output, metadata, trace.metadata) with the same JSON walk, the same per-field context, the same
// result checks and the same per-span time budget (200 ms by default, as the server's). What
// differs on purpose: a failing redactor's error is rethrown with its own message (the server
// rejects the span and hides the message, which may quote content), and the project's custom
// patterns are not applied (they are settings, not plugins).
//
// The JSON walk comes from plugins/redaction: it is a plain, dependency-free module, and using
// the server's own walk is what makes these tests mean something.
import { redactValue, RedactionTimeoutError } from '../redaction/redact-json';
import { pluginProblem } from './check-plugin';
import { identityCodec, type CodecContext, type ContentCodec, type ProjectKeys } from './codec';
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
}

/** The content fields of an ingested span; any other field is passed through untouched. */
export interface TestkitSpan {
  id?: string;
  input?: unknown;
  output?: unknown;
  metadata?: unknown;
  trace?: { metadata?: unknown; [key: string]: unknown } | null;
  [key: string]: unknown;
}

/** As `Span.redactions`: which rule fired how often, never the matched text. */
export interface RedactionHit {
  rule: string;
  count: number;
}

export interface PluginTestkit {
  /** The built plugin, as the server would load it. */
  plugin: TokentracePlugin;
  /** What the factory passed to `ctx.warn`. */
  warnings: string[];
  /** Redacts a span's input, output, metadata and trace metadata with the plugin's redactors. */
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
  const setup: PluginSetupContext = {
    env: 'test',
    dataDir: 'memory://',
    encryptionKeys: undefined,
    warn: (message) => warnings.push(message),
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
  const state: { running?: Redactor } = {};
  // As the server does: a redactor that says it has nothing to do for this project is skipped
  // (the server runs one whose appliesTo throws; here the author sees the error).
  const project = { projectId, piiRedaction: options.piiRedaction ?? false };
  const applying = (plugin.redactors ?? []).filter((redactor) => {
    if (typeof redactor.appliesTo !== 'function') return true;
    try {
      return redactor.appliesTo(project) !== false;
    } catch (err) {
      throw new TestkitRedactionError(`redactor "${redactor.name}" of plugin "${plugin.name}": appliesTo threw: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    }
  });
  // Attributes a failure to its redactor, with the original error kept as the cause.
  const redactors: Redactor[] = applying.map((redactor) => ({
    name: redactor.name,
    redact(text, ctx) {
      state.running = redactor;
      try {
        return redactor.redact(text, ctx);
      } catch (err) {
        throw new TestkitRedactionError(`redactor "${redactor.name}" of plugin "${plugin.name}" threw: ${(err as Error)?.message ?? String(err)}`, { cause: err });
      }
    },
  }));

  function run<T>(spanId: string, body: (redact: (value: unknown, field: RedactContext['field']) => unknown) => T): { result: T; redactions: RedactionHit[] } {
    state.running = undefined;
    const now = () => performance.now();
    const budget = { deadline: now() + budgetMs, now };
    const hits = new Map<string, number>();
    const redact = (value: unknown, field: RedactContext['field']): unknown => {
      if (value === undefined || value === null) return value;
      const ctx: RedactContext = { projectId, spanId, field, piiRedaction: options.piiRedaction ?? false };
      const out = redactValue(value, redactors, ctx, budget);
      for (const [rule, count] of Object.entries(out.hits)) hits.set(rule, (hits.get(rule) ?? 0) + count);
      return out.value;
    };
    let result: T;
    try {
      result = body(redact);
      if (now() > budget.deadline) throw new RedactionTimeoutError(budget.deadline, now());
    } catch (err) {
      if (err instanceof RedactionTimeoutError) {
        // Widened: TypeScript keeps the `undefined` assigned above, not seeing the wrappers set it.
        const running = state.running as Redactor | undefined;
        const who = running ? ` (redactor "${running.name}" was running)` : '';
        throw new TestkitRedactionError(`redaction took longer than the ${budgetMs} ms budget${who}: the server would reject this span`, { cause: err });
      }
      throw err;
    }
    const order = (rule: string) => redactors.findIndex((r) => r.name === rule);
    const redactions = [...hits].sort(([a], [b]) => order(a) - order(b)).map(([rule, count]) => ({ rule, count }));
    return { result, redactions };
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
    redactSpan<S extends TestkitSpan>(span: S) {
      const { result, redactions } = run(span.id ?? 'test-span', (redact) => {
        const out: TestkitSpan = { ...span };
        if ('input' in span) out.input = redact(span.input, 'input');
        if ('output' in span) out.output = redact(span.output, 'output');
        if ('metadata' in span) out.metadata = redact(span.metadata, 'metadata');
        if (span.trace && span.trace.metadata != null) out.trace = { ...span.trace, metadata: redact(span.trace.metadata, 'metadata') };
        return out as S;
      });
      return { span: result, redactions };
    },
    redactText(text, field = 'input') {
      const { result, redactions } = run('test-span', (redact) => redact(text, field) as string);
      return { text: result, redactions };
    },
    encode(value, ctx) {
      return codec.encode(encoder.encode(JSON.stringify(value)), codecContext(ctx));
    },
    decode(stored, ctx) {
      return JSON.parse(decoder.decode(codec.decode(stored, codecContext(ctx))));
    },
  };
}
