import type { RedactContext, RedactionResult, Redactor } from '../../../plugins/core/plugin';
import { isRedactionResult } from '../../../plugins/core/check-plugin';
import { warmUpRedactors } from '../../../plugins/core/warm-up';
import { compileCustomPattern } from '../../../plugins/redaction/custom-pattern';
import { redactValue, RedactionTimeoutError } from '../../../plugins/redaction/redact-json';
import type { AppDeps } from '../../context';
import type { ProjectSettings, RedactionHit } from '../models';
import type { SpanInputData } from './validate-span';

// The redact stage of ingest: every loaded plugin's redactors (config order), then the project's
// custom patterns, over a span's input, output, metadata, status message and trace metadata — the strings inside
// them, at any depth; object keys are left alone (see plugins/redaction/redact-json.ts).
//
// Fail closed: a redactor that throws or returns something that is not a result, a custom pattern
// that cannot be compiled, or a span whose redaction outlasts its budget is REJECTED — every
// copy of it in the batch, by index — and nothing of it is stored or published. The reason names
// the rule and its plugin, never the content or the redactor's error message (which may quote
// the content it choked on); a plugin author reproduces the error with the testkit.
//
// The budget is per span (TOKENTRACE_REDACTION_BUDGET_MS). One redactor call cannot be
// interrupted, so the clock is checked between calls and once more at the end: a single slow call
// is caught after it returns, and the span is still rejected. A request has a budget in all too
// (TOKENTRACE_REDACTION_BATCH_BUDGET_MS): redaction runs on the event loop, so a slow rule times
// a thousand spans would otherwise stall every other request; spans whose turn comes after it
// are rejected unredacted and unstored.

export interface RedactionRejection {
  index: number;
  id: string | null;
  reason: string;
}

/** A redactor with where it came from, for reasons and logs. */
interface Rule {
  /** `plugin "customer-ids"` or `custom pattern` */
  source: string;
  redactor: Redactor;
}

class RedactorFailure extends Error {
  constructor(
    readonly rule: Rule,
    readonly what: string,
    readonly causeName: string,
  ) {
    super(`rule "${rule.redactor.name}" (${rule.source}) ${what}`);
  }
}

// --- custom patterns, compiled once per project and pattern list ------------------------------

type Compiled = { signature: string } & ({ rules: Rule[] } | { error: string });

const CACHE_MAX_PROJECTS = 1000;
const compiledByProject = new Map<string, Compiled>();

/**
 * The project's custom patterns as rules. Compiling is deterministic here (the timing probe ran
 * when the pattern was saved and is skipped), so a failure is cached like a success until the
 * list changes.
 */
function customPatternRules(projectId: string, settings: ProjectSettings): Compiled {
  const patterns = settings.customPatterns ?? [];
  const signature = JSON.stringify(patterns.map((p) => [p.name, p.pattern]));
  let compiled = compiledByProject.get(projectId);
  // Deleted and re-inserted either way: Map order is the eviction order (least recently used first).
  compiledByProject.delete(projectId);
  if (compiled?.signature !== signature) {
    try {
      const rules = patterns.map((p) => ({ source: 'custom pattern', redactor: compileCustomPattern(p, { probe: false }) }));
      compiled = { signature, rules };
    } catch (err) {
      // compileCustomPattern's message names the pattern, never span content.
      compiled = { signature, error: `${err instanceof Error ? err.message : String(err)} Fix it in the project settings.` };
    }
  }
  compiledByProject.set(projectId, compiled);
  if (compiledByProject.size > CACHE_MAX_PROJECTS) compiledByProject.delete(compiledByProject.keys().next().value!);
  return compiled;
}

// --- one span ---------------------------------------------------------------------------------

interface SpanRun {
  /** The rule whose call was last entered: the one running when the budget ran out. */
  current: Rule | undefined;
}

/**
 * Wraps each rule so a failure is attributed to it and its result is checked before use. The
 * wrappers share `run`, which the caller resets per span.
 */
function guard(rules: Rule[], run: SpanRun): Redactor[] {
  return rules.map((rule) => ({
    name: rule.redactor.name,
    redact(text: string, ctx: RedactContext): RedactionResult {
      run.current = rule;
      let result: RedactionResult;
      try {
        result = rule.redactor.redact(text, ctx);
      } catch (err) {
        throw new RedactorFailure(rule, 'failed', err instanceof Error ? err.name : typeof err);
      }
      if (!isRedactionResult(result)) {
        throw new RedactorFailure(rule, 'returned an invalid result', 'TypeError');
      }
      return result;
    },
  }));
}

interface RedactedSpan {
  span: SpanInputData;
  redactions: RedactionHit[];
}

function redactOne(
  span: SpanInputData,
  redactors: Redactor[],
  run: SpanRun,
  projectId: string,
  settings: ProjectSettings,
  budgetMs: number,
): RedactedSpan {
  // No rule applies to this project (the default: piiRedaction off, no custom patterns): only
  // the per-project drops remain.
  if (redactors.length === 0) {
    if (!settings.redactInputs && !settings.redactOutputs) return { span, redactions: [] };
    return { span: { ...span, input: settings.redactInputs ? null : span.input, output: settings.redactOutputs ? null : span.output }, redactions: [] };
  }
  run.current = undefined;
  const now = () => performance.now();
  const budget = { deadline: now() + budgetMs, now };
  const hits = new Map<string, number>();
  const redact = (value: unknown, field: RedactContext['field']): unknown => {
    if (value === undefined || value === null) return value;
    const ctx: RedactContext = { projectId, spanId: span.id, field, piiRedaction: settings.piiRedaction };
    const result = redactValue(value, redactors, ctx, budget);
    for (const [rule, count] of Object.entries(result.hits)) hits.set(rule, (hits.get(rule) ?? 0) + count);
    return result.value;
  };

  // Dropped content is not redacted: it is never stored, so it has nothing to hide or count.
  const input = settings.redactInputs ? null : redact(span.input, 'input');
  const output = settings.redactOutputs ? null : redact(span.output, 'output');
  const metadata = redact(span.metadata, 'metadata');
  // Error messages quote what failed ("no account for ann@example.com"): redacted like content.
  const statusMessage = redact(span.statusMessage, 'statusMessage') as string | null | undefined;
  const trace = span.trace && span.trace.metadata != null ? { ...span.trace, metadata: redact(span.trace.metadata, 'metadata') } : span.trace;
  // The walker checks the clock before each call; this catches a slow last call.
  if (now() > budget.deadline) throw new RedactionTimeoutError(budget.deadline, now());

  // In rule order (config order, then custom patterns), each summed over all fields.
  const order = (rule: string) => redactors.findIndex((r) => r.name === rule);
  return {
    span: { ...span, input, output, metadata, statusMessage, trace },
    redactions: [...hits].sort(([a], [b]) => order(a) - order(b)).map(([rule, count]) => ({ rule, count })),
  };
}

function reasonFor(err: unknown, run: SpanRun, budgetMs: number): { reason: string; log: Record<string, unknown> } {
  if (err instanceof RedactorFailure) {
    return {
      reason: `Redaction failed: ${err.message}; the span was not stored.`,
      log: { rule: err.rule.redactor.name, source: err.rule.source, error: err.causeName },
    };
  }
  if (err instanceof RedactionTimeoutError) {
    const running = run.current ? ` (rule "${run.current.redactor.name}" of ${run.current.source} was running)` : '';
    return {
      reason: `Redaction took longer than its ${budgetMs} ms budget${running}; the span was not stored.`,
      log: { rule: run.current?.redactor.name, source: run.current?.source, error: err.name },
    };
  }
  // The walker itself refused the value (e.g. a cycle): not a rule's fault.
  return {
    reason: 'Redaction failed on this span; it was not stored.',
    log: { error: err instanceof Error ? err.name : typeof err },
  };
}

/** A redactor's own answer; one that cannot answer runs (fail closed). */
function applies(redactor: Redactor, project: { projectId: string; piiRedaction: boolean }): boolean {
  if (typeof redactor.appliesTo !== 'function') return true;
  try {
    return redactor.appliesTo(project) !== false;
  } catch {
    return true;
  }
}

/**
 * Redacts the accepted (validated, merged) spans of a batch in place of their content. Returns
 * the entries that may be stored, each with its redaction hits, and a rejection for every index
 * of each span that may not. Its duration is the redaction-time metric of GET /metrics.
 */
export function redactBatch<T extends { indexes: number[]; span: SpanInputData }>(
  deps: AppDeps,
  projectId: string,
  settings: ProjectSettings,
  entries: T[],
): { kept: (T & { redactions: RedactionHit[] })[]; rejected: RedactionRejection[] } {
  const stopTimer = deps.metrics.redactionDuration.startTimer();
  try {
    return redactEntries(deps, projectId, settings, entries);
  } finally {
    stopTimer();
  }
}

function redactEntries<T extends { indexes: number[]; span: SpanInputData }>(
  deps: AppDeps,
  projectId: string,
  settings: ProjectSettings,
  entries: T[],
): { kept: (T & { redactions: RedactionHit[] })[]; rejected: RedactionRejection[] } {
  const kept: (T & { redactions: RedactionHit[] })[] = [];
  const rejected: RedactionRejection[] = [];
  const rejectAll = (entry: T, reason: string) => {
    for (const index of entry.indexes) rejected.push({ index, id: entry.span.id, reason });
  };

  const custom = customPatternRules(projectId, settings);
  if ('error' in custom) {
    deps.logger.warn({ projectId }, 'custom redaction pattern could not be compiled; rejecting spans');
    for (const entry of entries) rejectAll(entry, `Redaction failed: ${custom.error} The span was not stored.`);
    return { kept, rejected };
  }
  const project = { projectId, piiRedaction: settings.piiRedaction };
  const rules: Rule[] = [
    ...deps.plugins.redactors
      .filter(({ redactor }) => applies(redactor, project))
      .map(({ plugin, redactor }) => ({ source: `plugin "${plugin}"`, redactor })),
    ...custom.rules,
  ];
  // Outside the budget: a regex's first run compiles it (see plugins/core/warm-up.ts).
  warmUpRedactors(rules.map((r) => r.redactor));
  const run: SpanRun = { current: undefined };
  const redactors = guard(rules, run);
  const budgetMs = deps.config.redactionBudgetMs;
  const batchBudgetMs = deps.config.redactionBatchBudgetMs;
  const batchDeadline = performance.now() + batchBudgetMs;
  let outOfTime = 0;

  for (const entry of entries) {
    if (performance.now() > batchDeadline) {
      outOfTime++;
      rejectAll(entry, `Redaction of this request took longer than its ${batchBudgetMs} ms budget before this span's turn; it was not stored. Send it again in a smaller batch.`);
      continue;
    }
    try {
      const { span, redactions } = redactOne(entry.span, redactors, run, projectId, settings, budgetMs);
      kept.push({ ...entry, span, redactions });
    } catch (err) {
      const { reason, log } = reasonFor(err, run, budgetMs);
      // The span id is the client's identifier, not content; the error's message is left out.
      deps.logger.warn({ projectId, spanId: entry.span.id, ...log }, 'span rejected: redaction failed');
      rejectAll(entry, reason);
    }
  }
  if (outOfTime > 0) deps.logger.warn({ projectId, spans: outOfTime, batchBudgetMs }, 'spans rejected: the request ran out of redaction time');
  return { kept, rejected };
}
