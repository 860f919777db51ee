import { ContentShapeError, RedactionTimeoutError, RedactorError, redactSpanContent, type CustomPatternEngine, type CustomPatternSpec, type Redactor, type SpanContent } from '../../../plugins/core/index';
import type { PatternResult } from './custom-pattern-pool';

// Custom patterns of an engine that names no worker module (a third-party engine): run on the
// event loop under the per-span budget, which is checked between calls only. The built-in RE2
// engine names its module and runs in the worker (custom-pattern-pool.ts).

const CACHE_MAX = 1000;
const cache = new Map<string, Redactor[] | { error: string }>();

function compile(engine: CustomPatternEngine, patterns: CustomPatternSpec[]): Redactor[] | { error: string } {
  const key = JSON.stringify(patterns);
  let entry = cache.get(key);
  if (!entry) {
    try {
      entry = patterns.map((p) => engine.compile(p));
    } catch (err) {
      entry = { error: err instanceof Error ? err.message : String(err) };
    }
    cache.set(key, entry);
    if (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value!);
  }
  return entry;
}

export function customPatternsInProcess(
  engine: CustomPatternEngine,
  patterns: CustomPatternSpec[],
  context: { projectId: string; piiRedaction: boolean; piiRules: readonly string[] },
  budgetMs: number,
  spans: { key: string; content: SpanContent; spanId: string }[],
): Map<string, PatternResult> {
  const results = new Map<string, PatternResult>();
  const redactors = compile(engine, patterns);
  for (const { key, content, spanId } of spans) {
    if ('error' in redactors) {
      results.set(key, { ok: false, reason: `Redaction failed: ${redactors.error} Fix it in the project settings.`, rule: undefined });
      continue;
    }
    try {
      const out = redactSpanContent(content, redactors, { ...context, spanId, budgetMs });
      results.set(key, { ok: true, content: out.span, redactions: out.redactions });
    } catch (err) {
      const rule = err instanceof RedactorError ? err.redactor.name : err instanceof RedactionTimeoutError ? err.running?.name : undefined;
      const reason =
        err instanceof RedactionTimeoutError
          ? `Redaction took longer than its ${budgetMs} ms budget${rule ? ` (rule "${rule}" of custom pattern was running)` : ''}; the span was not stored.`
          : err instanceof ContentShapeError
            ? `Redaction failed: ${err.message}; the span was not stored.`
            : `Redaction failed: rule "${rule ?? '?'}" (custom pattern) failed; the span was not stored.`;
      results.set(key, { ok: false, reason, rule });
    }
  }
  return results;
}
