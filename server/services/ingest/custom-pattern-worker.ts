import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { CustomPatternEngine, Redactor } from '../../../plugins/core/index';
import { ContentShapeError, RedactionTimeoutError, RedactorError, redactSpanContent } from '../../../plugins/core/index';
import type { PatternJob, PatternJobMessage } from './custom-pattern-pool';

// The worker thread that runs project custom patterns (custom-pattern-pool.ts starts it). It loads
// the engine from the module the plugin named (`customPatterns.workerModule`), compiles each
// project's patterns once, and redacts span content with the same engine as the main thread
// (plugins/core/redaction). It answers span by span, so what finished before a hard stop is kept.

// A lower CPU priority for this thread (Linux: /proc/thread-self names its task id, and
// setpriority on a task id applies to that thread alone): when cores are scarce, a tenant's
// pattern burning its budget yields to the threads that answer requests. Nice 5 (about a third
// of a normal thread's share), not 19: on a busy host the lowest priority would starve the
// worker and time out every project's custom patterns. Elsewhere it runs at normal priority.
try {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(tid) && tid > 0) setPriority(tid, 5);
} catch {
  // not Linux, or not allowed: normal priority
}

const { engineModule } = workerData as { engineModule: string };
const engine = ((await import(engineModule)) as { customPatternEngine?: CustomPatternEngine }).customPatternEngine;
if (!engine) throw new Error(`${engineModule} does not export customPatternEngine`);

const CACHE_MAX = 500;
const compiled = new Map<string, Redactor[] | { error: string }>();

function redactorsFor(patterns: PatternJob['patterns']): Redactor[] | { error: string } {
  const key = JSON.stringify(patterns);
  let entry = compiled.get(key);
  if (!entry) {
    try {
      entry = patterns.map((p) => engine!.compile(p));
    } catch (err) {
      // The engine's message names the pattern (the admin's own text), never span content.
      entry = { error: err instanceof Error ? err.message : String(err) };
    }
    compiled.set(key, entry);
    if (compiled.size > CACHE_MAX) compiled.delete(compiled.keys().next().value!);
  }
  return entry;
}

const post = (message: PatternJobMessage) => parentPort!.postMessage(message);

parentPort!.on('message', (job: PatternJob) => {
  const redactors = redactorsFor(job.patterns);
  for (const { key, content } of job.spans) {
    if ('error' in redactors) {
      post({ job: job.id, key, ok: false, reason: `Redaction failed: ${redactors.error} Fix it in the project settings.`, rule: undefined });
      continue;
    }
    try {
      const out = redactSpanContent(content, redactors, { ...job.context, spanId: key, budgetMs: job.budgetMs });
      post({ job: job.id, key, ok: true, content: out.span, redactions: out.redactions });
    } catch (err) {
      if (err instanceof RedactorError) {
        post({ job: job.id, key, ok: false, reason: `Redaction failed: rule "${err.redactor.name}" (custom pattern) failed; the span was not stored.`, rule: err.redactor.name });
      } else if (err instanceof RedactionTimeoutError) {
        const rule = err.running?.name;
        post({ job: job.id, key, ok: false, reason: `Redaction took longer than its ${job.budgetMs} ms budget${rule ? ` (rule "${rule}" of custom pattern was running)` : ''}; the span was not stored.`, rule });
      } else if (err instanceof ContentShapeError) {
        post({ job: job.id, key, ok: false, reason: `Redaction failed: ${err.message}; the span was not stored.`, rule: undefined });
      } else {
        post({ job: job.id, key, ok: false, reason: 'Redaction failed on this span; it was not stored.', rule: undefined });
      }
    }
  }
  post({ job: job.id, done: true });
});

post({ ready: true });
