import { badInput } from '../../errors';
import type { TraceFilter } from '../../db/repositories/trace-filter';

// GET /api/projects/{projectId}/export?format=jsonl|csv plus the trace list's filters:
// from, to (ISO-8601), userId, sessionId, name, model, tags (comma-separated, all must match),
// status (OK | ERROR), minCostUsd. Anything else is refused by name, so a typo never exports
// more than was meant.

export type ExportFormat = 'jsonl' | 'csv';

export interface ExportParams {
  format: ExportFormat;
  filter: TraceFilter;
}

const KNOWN = new Set(['format', 'from', 'to', 'userId', 'sessionId', 'name', 'model', 'tags', 'status', 'minCostUsd']);

function date(search: URLSearchParams, name: 'from' | 'to'): Date | null {
  const value = search.get(name);
  if (value === null || value === '') return null;
  const parsed = new Date(value);
  // A date without a time zone would mean different instants to different readers.
  if (Number.isNaN(parsed.getTime()) || !/(Z|[+-]\d{2}:?\d{2})$/i.test(value)) {
    throw badInput(`${name} must be an ISO-8601 time with a time zone, e.g. 2026-11-01T00:00:00Z.`, { field: name });
  }
  return parsed;
}

export function parseExportParams(search: URLSearchParams): ExportParams {
  for (const key of search.keys()) {
    if (!KNOWN.has(key)) throw badInput(`Unknown parameter "${key.slice(0, 40)}": use format, ${[...KNOWN].slice(1).join(', ')}.`, { field: key.slice(0, 40) });
  }
  const format = search.get('format') ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'csv') throw badInput('format must be jsonl or csv.', { field: 'format' });
  const status = search.get('status') || null;
  if (status !== null && status !== 'OK' && status !== 'ERROR') throw badInput('status must be OK or ERROR.', { field: 'status' });
  const minCost = search.get('minCostUsd');
  const minCostUsd = minCost === null || minCost === '' ? null : Number(minCost);
  if (minCostUsd !== null && !(Number.isFinite(minCostUsd) && minCostUsd >= 0)) throw badInput('minCostUsd must be a non-negative number.', { field: 'minCostUsd' });
  const text = (name: string) => search.get(name)?.trim() || null;
  const tags = [...new Set((search.get('tags') ?? '').split(',').map((t) => t.trim()).filter(Boolean))];
  return {
    format,
    filter: {
      from: date(search, 'from'),
      to: date(search, 'to'),
      userId: text('userId'),
      sessionId: text('sessionId'),
      name: text('name'),
      model: text('model'),
      tags: tags.length ? tags : null,
      status,
      minCostUsd,
    },
  };
}
