import { JsonWalk, type WalkBudget } from './walk-json.js';
import type { RedactContext, RedactionHit, Redactor } from './types.js';

// The span step of the one redaction engine (server ingest, plugin testkit, SDK): which fields of
// a span are redacted, in which order, under which time budget, and how hits are attributed.
//
// Fields: input, output, metadata, statusMessage (error messages quote what failed: "no account
// for ann@example.com") and the trace's metadata — each present one, through the same JSON walk
// (walk-json.ts). Every other field is passed through untouched. Hits are summed per rule over
// all fields and listed in the order of the redactors.
//
// Budget: one clock for the span. The walk checks it before every redactor call and every object,
// and once more at the end, so a single slow last call is caught when it returns. A call itself
// cannot be interrupted: a caller that runs untrusted patterns must run them where it can stop
// them (the server runs project custom patterns in a worker thread).

/** The content fields of a span; any other field is passed through. */
export interface SpanContent {
  input?: unknown;
  output?: unknown;
  metadata?: unknown;
  statusMessage?: string | null;
  trace?: { metadata?: unknown } | null;
}

export interface SpanRedactionOptions {
  projectId: string;
  spanId: string;
  piiRedaction: boolean;
  piiRules?: readonly string[];
  /** Per-span budget in ms; undefined or Infinity means none. */
  budgetMs?: number;
  /** Clock for the budget. @default performance.now */
  now?: () => number;
  /**
   * Content is plain JSON data (as JSON.parse makes it) that nobody mutates afterwards: a value no
   * rule changes comes back as the same object, not a copy (walk-json.ts). @default false
   */
  keepUnchanged?: boolean;
}

// The default clock, made once rather than per span. Node's global `performance` is a getter:
// it is read once here, not before each of the ~30 clock checks of a span.
const performanceClock = globalThis.performance;
const performanceNow = (): number => performanceClock.now();

/** One span's redaction: call `field` per value, then `finish`. */
export class SpanRedaction {
  private readonly walk: JsonWalk;
  private readonly budget: WalkBudget | undefined;

  constructor(
    private readonly redactors: readonly Redactor[],
    private readonly options: SpanRedactionOptions,
  ) {
    const budgetMs = options.budgetMs;
    const now = options.now ?? performanceNow;
    this.budget = budgetMs === undefined || budgetMs === Infinity ? undefined : { deadline: now() + budgetMs, budgetMs, now };
    this.walk = new JsonWalk(redactors, this.budget, { keepUnchanged: options.keepUnchanged === true });
  }

  /** The redactor whose call was entered last (the one running when time ran out). */
  get running(): Redactor | undefined {
    return this.walk.running;
  }

  /** The redacted JSON-safe copy of one field's value (or the value, under keepUnchanged); null and undefined are kept as they are. */
  field(value: unknown, field: RedactContext['field']): unknown {
    if (value === undefined || value === null) return value;
    const { projectId, spanId, piiRedaction, piiRules } = this.options;
    // Key by key, not `...(piiRules && { piiRules })`: per field of every span, and the spread
    // costs V8 two to three times the literal.
    const ctx: RedactContext = { projectId, spanId, field, piiRedaction };
    if (piiRules) ctx.piiRules = piiRules;
    return this.walk.redact(value, ctx);
  }

  /** Checks the clock once more (a slow last call) and lists the hits in redactor order. */
  finish(): RedactionHit[] {
    this.walk.checkDeadline();
    if (this.walk.hits.size === 0) return []; // most spans
    const order = (rule: string) => this.redactors.findIndex((r) => r.name === rule);
    return [...this.walk.hits].sort(([a], [b]) => order(a) - order(b)).map(([rule, count]) => ({ rule, count }));
  }
}

/**
 * Redacts a span's content fields with `redactors`, in order. Throws `RedactorError`,
 * `RedactionTimeoutError` or `ContentShapeError` (walk-json.ts); the caller decides what a
 * failure means (reject the span, rethrow for the plugin author, leave the content out).
 */
export function redactSpanContent<S extends SpanContent>(
  span: S,
  redactors: readonly Redactor[],
  options: SpanRedactionOptions,
): { span: S; redactions: RedactionHit[] } {
  const run = new SpanRedaction(redactors, options);
  const out: SpanContent = { ...span };
  if ('input' in span) out.input = run.field(span.input, 'input');
  if ('output' in span) out.output = run.field(span.output, 'output');
  if ('metadata' in span) out.metadata = run.field(span.metadata, 'metadata');
  if ('statusMessage' in span) out.statusMessage = run.field(span.statusMessage, 'statusMessage') as string | null | undefined;
  if (span.trace && span.trace.metadata !== undefined && span.trace.metadata !== null) {
    out.trace = { ...span.trace, metadata: run.field(span.trace.metadata, 'metadata') };
  }
  const redactions = run.finish();
  return { span: out as S, redactions };
}
