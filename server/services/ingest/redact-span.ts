import {
  ContentShapeError,
  RedactionTimeoutError,
  RedactorError,
  redactSpanContent,
  warmUpRedactors,
  type CustomPatternEngine,
  type RedactionProject,
  type Redactor,
  type SpanContent,
} from '../../../plugins/core/index';
import type { AppDeps } from '../../context';
import type { ProjectSettings, RedactionHit } from '../models';
import type { MergedSpan } from './merge-span-copies';
import { runCustomPatterns, type PatternResult } from './custom-pattern-pool';
import { customPatternsInProcess } from './custom-patterns-in-process';
import { contentValue } from './content-source-text';
import type { SpanInputData } from './validate-span';

// The redact stage of ingest, on the one redaction engine of plugins/core/redaction (the testkit
// and the SDK run the same one): every loaded plugin's redactors (config order), then the
// project's custom patterns, over a span's input, output, metadata, status message and trace
// metadata — the strings inside them, at any depth; object keys are left alone.
//
// Plugin redactors run here, on the event loop, under the per-span budget
// (TOKENTRACE_REDACTION_BUDGET_MS, checked between calls) and the request's budget
// (TOKENTRACE_REDACTION_BATCH_BUDGET_MS: spans whose turn comes after it are rejected). Custom
// patterns come through the plugin contract (`customPatterns`, the redaction plugin's RE2 engine)
// and run in a worker thread that is terminated at the request's deadline
// (custom-pattern-pool.ts), so no pattern and no input can stall another request.
//
// Fail closed: a redactor that throws or returns something that is not a result, a custom pattern
// that cannot be compiled, content the walk refuses (a cycle, nesting deeper than 64) or a span
// whose redaction outlasts its budget is REJECTED — every copy of it in the batch, by index — and
// nothing of it is stored or published. The reason names the rule and its plugin, never the
// content or the redactor's error message (which may quote the content it choked on).

/** A span that may be stored, with its redaction hits (redact-spans.ts names it RedactedSpan). */
type KeptSpan = MergedSpan & { redactions: RedactionHit[] };

export interface RedactionRejection {
  index: number;
  id: string | null;
  reason: string;
}

// The engine's save-time check, run again on stored lists (cached per list): a pattern it refuses
// rejects the project's spans at once, without a trip to the worker.
const CHECK_CACHE_MAX = 1000;
const checked = new Map<string, string | undefined>();

function refusedPattern(engine: CustomPatternEngine, patterns: ProjectSettings['customPatterns']): string | undefined {
  const key = JSON.stringify(patterns);
  if (!checked.has(key)) {
    let problem: string | undefined;
    for (const p of patterns) {
      const why = engine.check(p.pattern);
      if (why) {
        problem = `Pattern for "${p.name}": ${why}`;
        break;
      }
    }
    checked.set(key, problem);
    if (checked.size > CHECK_CACHE_MAX) checked.delete(checked.keys().next().value!);
  }
  return checked.get(key);
}

/** A redactor's own answer; one that cannot answer runs (fail closed). */
function applies(redactor: Redactor, project: RedactionProject): boolean {
  if (typeof redactor.appliesTo !== 'function') return true;
  try {
    return redactor.appliesTo(project) !== false;
  } catch {
    return true;
  }
}

/**
 * Whether the redact stage reads this project's span content: a loaded redactor applies to it, or
 * it has custom patterns. When neither, content reaches the encode stage as the request sent it.
 */
export function redactionReadsContent(deps: Pick<AppDeps, 'plugins'>, projectId: string, settings: ProjectSettings): boolean {
  if ((settings.customPatterns ?? []).length > 0) return true;
  const project: RedactionProject = { projectId, piiRedaction: settings.piiRedaction, piiRules: settings.piiRules };
  return deps.plugins.redactors.some(({ redactor }) => applies(redactor, project));
}

function reasonFor(err: unknown, sourceOf: (r: Redactor) => string, budgetMs: number): { reason: string; log: Record<string, unknown> } {
  if (err instanceof RedactorError) {
    const what = err.reason === 'threw' ? 'failed' : 'returned an invalid result';
    const cause = err.reason === 'threw' ? (err.cause instanceof Error ? err.cause.name : typeof err.cause) : 'TypeError';
    return {
      reason: `Redaction failed: rule "${err.redactor.name}" (${sourceOf(err.redactor)}) ${what}; the span was not stored.`,
      log: { rule: err.redactor.name, source: sourceOf(err.redactor), error: cause },
    };
  }
  if (err instanceof RedactionTimeoutError) {
    const running = err.running ? ` (rule "${err.running.name}" of ${sourceOf(err.running)} was running)` : '';
    return {
      reason: `Redaction took longer than its ${budgetMs} ms budget${running}; the span was not stored.`,
      log: { rule: err.running?.name, source: err.running && sourceOf(err.running), error: err.name },
    };
  }
  if (err instanceof ContentShapeError) {
    return { reason: `Redaction failed: ${err.message}; the span was not stored.`, log: { error: err.name } };
  }
  return { reason: 'Redaction failed on this span; it was not stored.', log: { error: err instanceof Error ? err.name : typeof err } };
}

// Objects built per span are written out key by key: in V8 a spread followed by a key the source
// lacks (`{ ...entry, redactions }`, `{ ...options, spanId }`) costs ~1 µs, fifty times the
// literal — those two took about a sixth of a 100-span batch's redaction time.

/**
 * The content fields of a span, after the project's drops (dropped content is never redacted);
 * `walked`: a redactor or custom pattern will read it, so content a read worker sent as text is
 * parsed now (content-source-text.ts).
 */
function contentOf(span: SpanInputData, settings: ProjectSettings, walked: boolean): SpanContent {
  const content: SpanContent = {
    input: settings.redactInputs ? null : walked ? contentValue(span.input) : span.input,
    output: settings.redactOutputs ? null : walked ? contentValue(span.output) : span.output,
    metadata: span.metadata,
    statusMessage: span.statusMessage,
  };
  if (span.trace !== undefined) content.trace = span.trace;
  return content;
}

const withContent = (span: SpanInputData, content: SpanContent): SpanInputData =>
  ({ ...span, input: content.input, output: content.output, metadata: content.metadata, statusMessage: content.statusMessage, trace: content.trace ?? span.trace }) as SpanInputData;

const keptEntry = (entry: MergedSpan, span: SpanInputData, redactions: RedactionHit[]): KeptSpan => ({ indexes: entry.indexes, span, redactions });

/**
 * Redacts the accepted (validated, merged) spans of a batch in place of their content. Resolves to
 * the entries that may be stored, each with its redaction hits, and a rejection for every index
 * of each span that may not. (Async since custom patterns run in a worker thread.) Its duration
 * is the redaction-time metric of GET /metrics.
 */
export async function redactBatch(
  deps: AppDeps,
  projectId: string,
  settings: ProjectSettings,
  entries: MergedSpan[],
): Promise<{ kept: KeptSpan[]; rejected: RedactionRejection[] }> {
  const stopTimer = deps.metrics.redactionDuration.startTimer();
  try {
    return await redactEntries(deps, projectId, settings, entries);
  } finally {
    stopTimer();
  }
}

async function redactEntries(
  deps: AppDeps,
  projectId: string,
  settings: ProjectSettings,
  entries: MergedSpan[],
): Promise<{ kept: KeptSpan[]; rejected: RedactionRejection[] }> {
  const kept: KeptSpan[] = [];
  const rejected: RedactionRejection[] = [];
  const rejectAll = (entry: MergedSpan, reason: string) => {
    for (const index of entry.indexes) rejected.push({ index, id: entry.span.id, reason });
  };
  const patterns = settings.customPatterns ?? [];
  const engine: CustomPatternEngine | undefined = deps.plugins.customPatterns?.engine;
  if (patterns.length > 0 && !engine) {
    deps.logger.warn({ projectId }, 'project has custom redaction patterns but no plugin runs them; rejecting spans');
    for (const entry of entries) rejectAll(entry, 'Redaction failed: this project has custom patterns, but no loaded plugin runs custom patterns; the span was not stored.');
    return { kept, rejected };
  }

  const refused = patterns.length > 0 && engine ? refusedPattern(engine, patterns) : undefined;
  if (refused) {
    // Saved before the engine refused it (an older version, or written behind the API's back).
    deps.logger.warn({ projectId }, 'custom redaction pattern could not be compiled; rejecting spans');
    for (const entry of entries) rejectAll(entry, `Redaction failed: ${refused} Fix it in the project settings; the span was not stored.`);
    return { kept, rejected };
  }

  const project: RedactionProject = { projectId, piiRedaction: settings.piiRedaction, piiRules: settings.piiRules };
  const loaded = deps.plugins.redactors.filter(({ redactor }) => applies(redactor, project));
  const sources = new Map<Redactor, string>(loaded.map(({ plugin, redactor }) => [redactor, `plugin "${plugin}"`]));
  const sourceOf = (r: Redactor) => sources.get(r) ?? 'custom pattern';
  const redactors = loaded.map(({ redactor }) => redactor);
  // Outside the budget: a regex's first run compiles it (see plugins/core/warm-up.ts).
  warmUpRedactors(redactors);
  const budgetMs = deps.config.redactionBudgetMs;
  const batchBudgetMs = deps.config.redactionBatchBudgetMs;
  const batchDeadline = performance.now() + batchBudgetMs;
  let outOfTime = 0;

  // Nothing to apply (the default: PII redaction off, no patterns, no drops): each span as it is.
  // Copying every span into a new object here was about 1 µs per span of the main thread.
  if (redactors.length === 0 && patterns.length === 0 && !settings.redactInputs && !settings.redactOutputs) {
    for (const entry of entries) kept.push(keptEntry(entry, entry.span, []));
    return { kept, rejected };
  }

  // 1. Plugin redactors, on the event loop.
  const done: { entry: MergedSpan; content: SpanContent; redactions: RedactionHit[] }[] = [];
  for (const entry of entries) {
    const content = contentOf(entry.span, settings, redactors.length > 0 || patterns.length > 0);
    if (redactors.length === 0) {
      done.push({ entry, content, redactions: [] });
      continue;
    }
    if (performance.now() > batchDeadline) {
      outOfTime++;
      rejectAll(entry, `Redaction of this request took longer than its ${batchBudgetMs} ms budget before this span's turn; it was not stored. Send it again in a smaller batch.`);
      continue;
    }
    try {
      // keepUnchanged: content here is what the body parser or the OTLP decoder made, plain data
      // that no stage writes into; content no rule changed keeps its identity, and with it the
      // request's text for the encode stage (content-source-text.ts).
      const out = redactSpanContent(content, redactors, { projectId, spanId: entry.span.id, piiRedaction: settings.piiRedaction, piiRules: settings.piiRules, budgetMs, keepUnchanged: true });
      done.push({ entry, content: out.span, redactions: out.redactions });
    } catch (err) {
      const { reason, log } = reasonFor(err, sourceOf, budgetMs);
      // The span id is the client's identifier, not content; the error's message is left out.
      deps.logger.warn({ projectId, spanId: entry.span.id, ...log }, 'span rejected: redaction failed');
      rejectAll(entry, reason);
    }
  }
  if (outOfTime > 0) deps.logger.warn({ projectId, spans: outOfTime, batchBudgetMs }, 'spans rejected: the request ran out of redaction time');

  // 2. The project's custom patterns: in the worker when the engine names its module.
  let custom: Map<string, PatternResult> | undefined;
  if (patterns.length > 0 && engine && done.length > 0) {
    const spans = done.map(({ entry, content }, i) => ({ key: String(i), content, spanId: entry.span.id }));
    const remaining = Math.max(1, batchDeadline - performance.now());
    const context = { projectId, piiRedaction: settings.piiRedaction, piiRules: settings.piiRules };
    custom = engine.workerModule
      ? await runCustomPatterns(engine.workerModule, { patterns, context, budgetMs, spans: spans.map(({ key, content }) => ({ key, content })) }, remaining)
      : customPatternsInProcess(engine, patterns, context, budgetMs, spans);
  }

  done.forEach(({ entry, content, redactions }, i) => {
    const result = custom?.get(String(i));
    if (!result) return kept.push(keptEntry(entry, withContent(entry.span, content), redactions));
    if (!result.ok) {
      deps.logger.warn({ projectId, spanId: entry.span.id, rule: result.rule, source: 'custom pattern' }, 'span rejected: redaction failed');
      return rejectAll(entry, result.reason);
    }
    // Plugin hits first, then the custom patterns' (a name used by both adds up).
    const merged = [...redactions.map((h) => ({ ...h }))];
    for (const hit of result.redactions) {
      const same = merged.find((h) => h.rule === hit.rule);
      if (same) same.count += hit.count;
      else merged.push(hit);
    }
    kept.push(keptEntry(entry, withContent(entry.span, result.content), merged));
  });
  return { kept, rejected };
}
