import type { ProjectKeys } from '../../../plugins/core/index';
import { CodecError } from '../../../plugins/core/index';
import type { AppDeps, RequestContext } from '../../context';
import { readExportRows, type ExportRow } from '../../db/repositories/span-export';
import { AppError, forbidden, notFound } from '../../errors';
import { readContent } from '../../storage/content';
import { noteContentRead } from '../access-log/record-content-read';
import { recordAudit, runAudited } from '../audit-log';
import { mayReadContent } from '../content-access';
import { endUserHash } from '../end-user-hash';
import { isUuid } from '../projects';
import { resolveTraceFilter, type TraceFilter } from '../trace-list';
import { exportPreamble, formatRecords, type ExportRecord } from './export-format';
import type { ExportParams } from './export-params';

// The streaming export of a project's spans (GET /api/projects/{id}/export). Two steps, so
// the HTTP route can answer a refusal with a proper status before it sends any data:
//
//   startExport  — who may export (a user through a session or a personal access token; never
//                  an ingest key), whether content is included (the caller's role), a free
//                  export slot on this server, and the `export.start` audit entry.
//   run          — rows from a database cursor a chunk at a time (span-export.ts), content
//                  decoded for those rows only, formatted, handed to the sink, which resolves
//                  once the client has taken them: memory stays flat whatever the size.
//                  Content reads go to the access log; `export.finish` records the row count.

export interface ExportSink {
  /** Resolves when the text may be followed by more (the client is keeping up). */
  write(text: string): Promise<void>;
}

export interface ExportOutcome {
  rows: number;
  completed: boolean;
}

export interface StartedExport {
  contentIncluded: boolean;
  run(sink: ExportSink, signal: AbortSignal): Promise<ExportOutcome>;
}

/** Rows per fetch to start with; halved when rows carry large content, grown when small. */
const FIRST_CHUNK_ROWS = 200;
const MAX_CHUNK_ROWS = 1_000;
const CHUNK_CONTENT_BUDGET = 8 * 1024 * 1024;

const running = new WeakMap<AppDeps, { count: number }>();

/** The filter as the audit log keeps it: a userId becomes its hash (erasure may come later). */
function auditableFilter(projectId: string, filter: TraceFilter): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(filter)) {
    if (value === null || value === undefined) continue;
    if (key === 'userId') out.userIdHash = endUserHash(projectId, String(value));
    else out[key] = value instanceof Date ? value.toISOString() : value;
  }
  return out;
}

export async function startExport(ctx: RequestContext, projectId: string, params: ExportParams): Promise<StartedExport> {
  const { deps } = ctx;
  if (ctx.principal.kind !== 'user') {
    throw ctx.principal.kind === 'ingestKey' ? forbidden('An ingest key cannot read or export; sign in or use a personal access token.') : new AppError('UNAUTHENTICATED', 'Sign in or send a personal access token.');
  }
  if (!isUuid(projectId) || (await ctx.roleIn(projectId)) === null) throw notFound('Project');
  const contentIncluded = await mayReadContent(ctx, projectId);
  const rowFilter = await resolveTraceFilter(ctx, projectId, params.filter);

  let slots = running.get(deps);
  if (!slots) running.set(deps, (slots = { count: 0 }));
  if (slots.count >= deps.config.exportsPerInstance) {
    throw new AppError('RATE_LIMITED', 'Too many exports are running on this server; try again in a minute.', { retryAfterSeconds: 60 }, 429);
  }
  slots.count += 1;
  const release = () => {
    slots.count -= 1;
  };

  try {
    await runAudited(deps, (trx) =>
      recordAudit(trx, ctx, {
        projectId,
        action: 'export.start',
        targetType: 'project',
        targetId: projectId,
        details: { format: params.format, filter: auditableFilter(projectId, params.filter), content: contentIncluded ? 'included' : 'hidden' },
      }),
    );
  } catch (err) {
    release();
    throw err;
  }

  return {
    contentIncluded,
    async run(sink, signal) {
      let rows = 0;
      let completed = false;
      try {
        let keys: ProjectKeys | undefined;
        let keysError: string | null = null;
        if (contentIncluded) {
          try {
            keys = await deps.projectKeys.forProject(projectId, { fresh: true });
          } catch (err) {
            if (!(err instanceof CodecError)) throw err;
            keysError = err.reason;
          }
        }
        let chunkRows = FIRST_CHUNK_ROWS;
        await sink.write(exportPreamble(params.format));
        await readExportRows(
          deps.db,
          { projectId, filter: rowFilter, withContent: contentIncluded },
          { dialect: deps.dbDialect, chunkRows: () => chunkRows, signal },
          async (chunk) => {
            let contentBytes = 0;
            const reads = new Map<string, string[]>();
            const records = chunk.map((row) => {
              contentBytes += (row.input?.length ?? 0) + (row.output?.length ?? 0);
              const record = toRecord(deps, projectId, row, contentIncluded, keys, keysError);
              if (record.contentStatus === 'AVAILABLE' && (row.input !== null || row.output !== null)) {
                const ids = reads.get(row.trace_id) ?? [];
                ids.push(row.id);
                reads.set(row.trace_id, ids);
              }
              return record;
            });
            await sink.write(formatRecords(params.format, records));
            rows += records.length;
            for (const [traceId, spanIds] of reads) await noteContentRead(ctx, projectId, traceId, spanIds, 'export');
            await deps.accessLog.backpressure();
            if (contentBytes > CHUNK_CONTENT_BUDGET) chunkRows = Math.max(1, Math.floor(chunkRows / 2));
            else if (contentBytes < CHUNK_CONTENT_BUDGET / 8) chunkRows = Math.min(MAX_CHUNK_ROWS, chunkRows * 2);
          },
        );
        completed = !signal.aborted;
        return { rows, completed };
      } finally {
        release();
        await runAudited(deps, (trx) =>
          recordAudit(trx, ctx, { projectId, action: 'export.finish', targetType: 'project', targetId: projectId, details: { format: params.format, rows, completed } }),
        ).catch((err: unknown) => deps.logger.error({ projectId, err: err instanceof Error ? err.message : String(err) }, 'export: could not record its end'));
      }
    },
  };
}

const HIDDEN = 'hidden';

function toRecord(deps: AppDeps, projectId: string, row: ExportRow, contentIncluded: boolean, keys: ProjectKeys | undefined, keysError: string | null): ExportRecord {
  const removed = row.content_removed_at !== null;
  const contentStatus: ExportRecord['contentStatus'] = removed ? 'REMOVED_BY_RETENTION' : contentIncluded ? 'AVAILABLE' : 'HIDDEN';
  let input: unknown = null;
  let output: unknown = null;
  let contentError: string | null = null;
  if (contentStatus === 'HIDDEN') {
    input = HIDDEN;
    output = HIDDEN;
  } else if (contentIncluded && (row.input !== null || row.output !== null)) {
    if (keysError) {
      contentError = keysError;
    } else {
      const read = (stored: Uint8Array | null, column: 'input' | 'output') => {
        const result = readContent(deps.codec, stored, { projectId, table: 'spans', rowId: row.id, column, ...(keys ? { keys } : {}) });
        if (result.ok) return result.value;
        contentError ??= result.reason;
        return null;
      };
      input = read(row.input, 'input');
      output = read(row.output, 'output');
    }
  }
  const start = row.start_time;
  // What the schema puts behind `contentReader` beside input and output (error messages and
  // metadata often quote content): hidden from a caller who may not read content, like them.
  const hidden = !contentIncluded;
  return {
    traceId: row.trace_id,
    traceName: row.trace_name,
    userId: row.user_id,
    sessionId: row.session_id,
    tags: row.tags,
    traceMetadata: hidden ? HIDDEN : (row.trace_metadata ?? null),
    traceStartTime: row.trace_start_time.toISOString(),
    spanId: row.id,
    parentId: row.parent_id,
    kind: row.kind,
    name: row.name,
    model: row.model,
    provider: row.provider,
    status: row.status,
    statusMessage: hidden ? HIDDEN : row.status_message,
    startTime: start.toISOString(),
    endTime: row.end_time?.toISOString() ?? null,
    latencyMs: row.end_time ? row.end_time.getTime() - start.getTime() : null,
    promptTokens: row.prompt_tokens,
    completionTokens: row.completion_tokens,
    totalTokens: row.total_tokens === null ? null : Number(row.total_tokens),
    costUsd: row.cost_usd,
    cacheReadTokens: row.cache_read_tokens,
    cacheWriteTokens: row.cache_write_tokens,
    reasoningTokens: row.reasoning_tokens,
    metadata: hidden ? HIDDEN : (row.metadata ?? null),
    contentStatus,
    input,
    output,
    contentError,
  };
}
