// Ingest, in stages:
//   1. validate  — each span on its own; a bad one is rejected by index, the rest go on
//   2. merge     — copies of one span id within the batch become one row
//   3. redact    — per-project settings may drop inputs or outputs entirely; then the loaded
//                  plugins' redactors and the project's custom patterns run over input, output,
//                  metadata and trace metadata (redact-span.ts). A span whose redaction fails or
//                  overruns its time budget is rejected (every copy, by index), never stored
//   4. price     — cost from the model price table (null when the model has no price)
//   5. encode    — content to JSON bytes through the storage codec
//   6. store     — in one transaction: lock the batch's traces, one multi-row span upsert
//                  (re-pricing completed copies), then one statement for the trace rows
//   7. publish   — to live-tail subscribers, after commit (redacted content, as stored)
import type { AppDeps } from '../../context';
import { findProjectById } from '../../db/repositories/projects';
import { lockTraces, updateSpanCosts, upsertSpans, upsertTraces, type TraceAttributesRow } from '../../db/repositories/spans';
import type { NewSpanRow } from '../../db/tables';
import { AppError, notFound } from '../../errors';
import { encodeContent } from '../../storage/content';
import type { ProjectSettings, SpanModel } from '../models';
import { toProjectModel } from '../projects';
import { redactBatch } from './redact-span';
import { validateSpan, type SpanInputData } from './validate-span';

export interface IngestRejection {
  index: number;
  id: string | null;
  reason: string;
}

export interface IngestResult {
  accepted: number;
  rejected: IngestRejection[];
}

interface Accepted {
  indexes: number[];
  span: SpanInputData;
}

export async function ingestSpans(
  deps: AppDeps,
  projectId: string,
  spans: SpanInputData[],
  /** The project's settings when the caller already has them (read with the ingest key). */
  knownSettings?: ProjectSettings | null,
): Promise<IngestResult> {
  if (spans.length > deps.config.ingest.maxSpans) {
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      `A request may carry at most ${deps.config.ingest.maxSpans} spans; split the batch.`,
      { maxSpans: deps.config.ingest.maxSpans },
    );
  }
  const settings = knownSettings ?? (await loadSettings(deps, projectId));

  // 1. validate
  const now = Date.now();
  const rejected: IngestRejection[] = [];
  const byId = new Map<string, Accepted>();
  spans.forEach((span, index) => {
    const reason = validateSpan(span, now);
    if (reason) {
      rejected.push({ index, id: typeof span.id === 'string' ? span.id : null, reason });
      return;
    }
    // 2. merge
    const seen = byId.get(span.id);
    if (seen) {
      seen.indexes.push(index);
      seen.span = mergeSpanCopies(seen.span, span);
    } else {
      byId.set(span.id, { indexes: [index], span });
    }
  });
  if (byId.size === 0) return { accepted: 0, rejected };

  // 3. redact: from here on, `span` holds the redacted content only.
  const redaction = await redactBatch(deps, projectId, settings, [...byId.values()]);
  if (redaction.rejected.length > 0) {
    rejected.push(...redaction.rejected);
    rejected.sort((a, b) => a.index - b.index);
  }
  if (redaction.kept.length === 0) return { accepted: 0, rejected };

  // Sorted, so concurrent batches lock rows in the same order and cannot deadlock.
  const accepted = redaction.kept.sort((a, b) => (a.span.id < b.span.id ? -1 : a.span.id > b.span.id ? 1 : 0));

  // 4. price, 5. encode
  const rows: NewSpanRow[] = [];
  const models: SpanModel[] = [];
  for (const { span, redactions } of accepted) {
    const promptTokens = span.promptTokens ?? null;
    const completionTokens = span.completionTokens ?? null;
    const totalTokens = promptTokens === null && completionTokens === null ? null : (promptTokens ?? 0) + (completionTokens ?? 0);
    const costUsd = span.model ? deps.prices.costFor(span.model, span.startTime, promptTokens, completionTokens) : null;
    const input = span.input ?? null;
    const output = span.output ?? null;
    const codecContext = { projectId, table: 'spans', rowId: span.id };
    rows.push({
      project_id: projectId,
      id: span.id,
      trace_id: span.traceId,
      parent_id: span.parentId ?? null,
      kind: span.kind,
      name: span.name,
      model: span.model ?? null,
      provider: span.provider ?? null,
      input: encodeContent(deps.codec, input, { ...codecContext, column: 'input' }),
      output: encodeContent(deps.codec, output, { ...codecContext, column: 'output' }),
      metadata: span.metadata == null ? null : JSON.stringify(span.metadata),
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: totalTokens,
      cost_usd: costUsd,
      start_time: span.startTime,
      end_time: span.endTime ?? null,
      completion_start_time: span.completionStartTime ?? null,
      status: span.status ?? 'OK',
      status_message: span.statusMessage ?? null,
      redactions: JSON.stringify(redactions),
    });
    models.push({
      projectId,
      id: span.id,
      traceId: span.traceId,
      parentId: span.parentId ?? null,
      kind: span.kind,
      name: span.name,
      model: span.model ?? null,
      provider: span.provider ?? null,
      promptTokens,
      completionTokens,
      totalTokens,
      costUsd,
      startTime: span.startTime,
      endTime: span.endTime ?? null,
      completionStartTime: span.completionStartTime ?? null,
      status: span.status ?? 'OK',
      statusMessage: span.statusMessage ?? null,
      metadata: span.metadata ?? null,
      redactions,
      content: { input, output },
    });
  }

  // 6. store
  await deps.db.transaction().execute(async (trx) => {
    const batchTraces = new Set(accepted.map(({ span }) => span.traceId));
    await lockTraces(trx, projectId, [...batchTraces]);
    const stored = await upsertSpans(trx, rows);
    // A stored span keeps its trace even when a copy names another one, so the copy's trace
    // attributes go to the stored trace; otherwise an empty trace row would be left behind.
    const storedTraceOf = new Map(stored.map((row) => [row.id, row.trace_id]));
    const traceAttributes = collectTraceAttributes(
      projectId,
      accepted.map(({ span }) => ({ ...span, traceId: storedTraceOf.get(span.id) ?? span.traceId })),
    );
    // A copy that completes a stored span (say tokens now, the model earlier) was priced above
    // from its own fields only; price it again from the merged row. New spans never differ.
    const modelsById = new Map(models.map((m) => [m.id, m]));
    const repriced: { id: string; costUsd: number | null }[] = [];
    for (const row of stored) {
      const costUsd = row.model ? deps.prices.costFor(row.model, row.start_time, row.prompt_tokens, row.completion_tokens) : null;
      if (!sameCost(costUsd, row.cost_usd)) repriced.push({ id: row.id, costUsd });
      // Live-tail subscribers see the span's trace and derived figures as stored.
      const model = modelsById.get(row.id);
      if (model) {
        model.traceId = row.trace_id;
        model.totalTokens = row.total_tokens === null ? null : Number(row.total_tokens);
        model.costUsd = costUsd;
      }
    }
    await updateSpanCosts(trx, projectId, repriced);
    // A stored span that names another trace than its copy did: lock that trace too. Out of key
    // order, so in the rare clash Postgres reports a deadlock and the batch fails (retried by
    // the sender) rather than storing stale totals.
    const lateTraces = traceAttributes.map((t) => t.id).filter((id) => !batchTraces.has(id));
    await lockTraces(trx, projectId, lateTraces);
    await upsertTraces(trx, projectId, traceAttributes);
  });

  // 7. publish
  for (const model of models) deps.pubsub.publish('span:ingested', projectId, model);

  const acceptedCount = accepted.reduce((n, a) => n + a.indexes.length, 0);
  return { accepted: acceptedCount, rejected };
}

function sameCost(a: number | null, b: number | null): boolean {
  if (a === null || b === null) return a === b;
  return Math.abs(a - Number(b)) < 1e-12;
}

/** A later copy completes an earlier one: its non-null fields win, tags are a union. */
function mergeSpanCopies(earlier: SpanInputData, later: SpanInputData): SpanInputData {
  const merged: SpanInputData = { ...earlier };
  for (const [key, value] of Object.entries(later) as [keyof SpanInputData, unknown][]) {
    if (value !== null && value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  merged.traceId = earlier.traceId;
  if (earlier.status === 'ERROR') merged.status = 'ERROR';
  if (earlier.trace && later.trace) {
    merged.trace = {
      ...earlier.trace,
      ...Object.fromEntries(Object.entries(later.trace).filter(([, v]) => v !== null && v !== undefined)),
      tags: [...new Set([...(earlier.trace.tags ?? []), ...(later.trace.tags ?? [])])],
    };
  }
  return merged;
}

/**
 * One attribute row per trace touched by the batch. Only explicit names are set here: a trace
 * without one takes its root span's name in upsertTraces, so a root span arriving in a
 * later batch cannot overwrite a name the client chose.
 */
function collectTraceAttributes(projectId: string, spans: SpanInputData[]): TraceAttributesRow[] {
  const byTrace = new Map<string, TraceAttributesRow>();
  for (const span of spans) {
    let row = byTrace.get(span.traceId);
    if (!row) {
      row = {
        projectId,
        id: span.traceId,
        name: null,
        userId: null,
        sessionId: null,
        tags: [],
        metadata: null,
      };
      byTrace.set(span.traceId, row);
    }
    const attrs = span.trace;
    if (attrs?.name) row.name = attrs.name;
    if (attrs?.userId) row.userId = attrs.userId;
    if (attrs?.sessionId) row.sessionId = attrs.sessionId;
    if (attrs?.tags) row.tags = [...new Set([...row.tags, ...attrs.tags.map((t) => t.trim())])];
    if (attrs?.metadata != null) {
      const previous = row.metadata ? (JSON.parse(row.metadata) as object) : {};
      row.metadata = JSON.stringify({ ...previous, ...(attrs.metadata as object) });
    }
  }
  return [...byTrace.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

async function loadSettings(deps: AppDeps, projectId: string): Promise<ProjectSettings> {
  const row = await findProjectById(deps.db, projectId);
  if (!row) throw notFound('Project');
  return toProjectModel(row).settings;
}
