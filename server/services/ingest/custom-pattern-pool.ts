import type { Worker } from 'node:worker_threads';
import type { CustomPatternSpec, RedactionHit, SpanContent } from '../../../plugins/core/index';
import { startTsWorker } from './start-ts-worker';

// Project custom patterns run here, off the event loop: a pattern is written by a project admin,
// the content by anyone with an ingest key, and even a linear-time engine costs input × pattern
// size (`\d{1,1000}X` over 1 MB of digits: ~25 s in re2js). One worker thread per engine module
// takes one job (a request's spans) at a time. The main thread stops the worker — terminate(),
// which interrupts even a running match — when the request's redaction deadline passes; spans
// answered before that are kept, the others rejected, and the next job starts a fresh worker.
// Meanwhile every other request, of every tenant, is served as usual. A queued job's clock starts
// when the worker takes it.

export interface PatternJob {
  id: number;
  patterns: CustomPatternSpec[];
  context: { projectId: string; piiRedaction: boolean; piiRules: readonly string[] };
  /** Per span, checked between calls inside the worker. */
  budgetMs: number;
  spans: { key: string; content: SpanContent }[];
}

export type PatternJobMessage =
  | { ready: true }
  | { job: number; done: true }
  | { job: number; key: string; ok: true; content: SpanContent; redactions: RedactionHit[] }
  | { job: number; key: string; ok: false; reason: string; rule: string | undefined };

export type PatternResult = { ok: true; content: SpanContent; redactions: RedactionHit[] } | { ok: false; reason: string; rule: string | undefined };

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  queue: Promise<unknown>;
}

const slots = new Map<string, Slot>();
let nextJob = 1;

function startWorker(engineModule: string): Slot {
  const worker = startTsWorker(new URL('./custom-pattern-worker.ts', import.meta.url).href, { workerData: { engineModule } });
  // A crash ends the thread: its 'exit' rejects the job's unfinished spans, the next job starts a
  // fresh worker. Without a listener an 'error' event would take the whole server down.
  worker.on('error', () => undefined);
  const ready = new Promise<void>((resolve, reject) => {
    const onMessage = (m: PatternJobMessage) => {
      if ('ready' in m) {
        worker.off('message', onMessage);
        resolve();
      }
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
    worker.once('exit', () => reject(new Error('custom-pattern worker exited while starting')));
  });
  ready.catch(() => undefined);
  const slot: Slot = { worker, ready, queue: Promise.resolve() };
  worker.once('exit', () => {
    if (slots.get(engineModule) === slot) slots.delete(engineModule);
  });
  return slot;
}

function slotFor(engineModule: string): Slot {
  let slot = slots.get(engineModule);
  if (!slot) {
    slot = startWorker(engineModule);
    slots.set(engineModule, slot);
  }
  return slot;
}

/**
 * Runs the job's spans through the custom patterns in the worker. Resolves with a result per span
 * key; a span not answered within `hardLimitMs` of the job's start is `{ ok: false }`.
 */
export function runCustomPatterns(engineModule: string, job: Omit<PatternJob, 'id'>, hardLimitMs: number): Promise<Map<string, PatternResult>> {
  const slot = slotFor(engineModule);
  const run = slot.queue.then(() => runOnSlot(engineModule, slot, { ...job, id: nextJob++ }, hardLimitMs));
  slot.queue = run.catch(() => undefined);
  return run;
}

async function runOnSlot(engineModule: string, slot: Slot, job: PatternJob, hardLimitMs: number): Promise<Map<string, PatternResult>> {
  const results = new Map<string, PatternResult>();
  const timedOut = (): PatternResult => ({
    ok: false,
    reason: `Custom redaction patterns took longer than this request's ${hardLimitMs} ms budget before this span was done; it was not stored. Send it again in a smaller batch.`,
    rule: undefined,
  });
  try {
    await slot.ready;
  } catch {
    for (const { key } of job.spans) results.set(key, { ok: false, reason: 'Custom redaction patterns could not run; the span was not stored.', rule: undefined });
    return results;
  }
  const { worker } = slot;
  await new Promise<void>((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      resolve();
    };
    const onMessage = (m: PatternJobMessage) => {
      if (!('job' in m) || m.job !== job.id) return;
      if ('done' in m) return finish();
      results.set(m.key, m.ok ? { ok: true, content: m.content, redactions: m.redactions } : { ok: false, reason: m.reason, rule: m.rule });
    };
    const onExit = () => finish();
    const timer = setTimeout(() => {
      // The hard stop: whatever is running, however long one match would take.
      if (slots.get(engineModule) === slot) slots.delete(engineModule);
      void worker.terminate();
      finish();
    }, Math.max(1, hardLimitMs));
    worker.on('message', onMessage);
    worker.on('exit', onExit);
    worker.postMessage(job);
  });
  for (const { key } of job.spans) if (!results.has(key)) results.set(key, timedOut());
  return results;
}

/** Stops every custom-pattern worker (server shutdown, tests). */
export async function stopCustomPatternWorkers(): Promise<void> {
  const all = [...slots.values()];
  slots.clear();
  await Promise.all(all.map((s) => s.worker.terminate()));
}
