import { badInput } from '../../errors';
import { isStorableDate } from '../storable-date';
import { unstorableTextReason } from '../storable-text';
import type { TraceFilter } from '../trace-list';

// GET /api/projects/{projectId}/export?format=jsonl|csv plus the trace list's filters, by the
// names of the GraphQL `TraceFilter` the list queries with: from, to (ISO-8601), name,
// nameContains, userId, sessionId, model, modelContains, tags (comma-separated, all must
// match), status (OK | ERROR), minCostUsd, and metadata (repeatable, at most 10: `key` for
// "has the key", `key=value`, split at the first `=`). Anything else is refused by name, so a
// typo never exports more than was meant.

export type ExportFormat = 'jsonl' | 'csv';

export interface ExportParams {
  format: ExportFormat;
  filter: TraceFilter;
}

const TEXT_FILTERS = ['name', 'nameContains', 'userId', 'sessionId', 'model', 'modelContains'] as const;
const KNOWN = new Set(['format', 'from', 'to', ...TEXT_FILTERS, 'tags', 'status', 'minCostUsd', 'metadata']);
const MAX_TEXT = 1_000;

function date(search: URLSearchParams, name: 'from' | 'to'): Date | null {
  const value = search.get(name);
  if (value === null || value === '') return null;
  const parsed = new Date(value);
  // A date without a time zone would mean different instants to different readers.
  if (!isStorableDate(parsed) || !/(Z|[+-]\d{2}:?\d{2})$/i.test(value)) {
    throw badInput(`${name} must be an ISO-8601 time with a time zone, e.g. 2026-11-01T00:00:00Z.`, { field: name });
  }
  return parsed;
}

/** Text the database can compare: bounded, no NUL, no lone surrogate. */
function text(value: string, field: string): string {
  const reason = unstorableTextReason(value);
  if (reason) throw badInput(`${field} contains ${reason}.`, { field });
  if (value.length > MAX_TEXT) throw badInput(`${field} is longer than ${MAX_TEXT} characters.`, { field });
  return value;
}

function metadataFilter(value: string): { key: string; value?: string } {
  const eq = value.indexOf('=');
  const key = (eq < 0 ? value : value.slice(0, eq)).trim();
  if (!key) throw badInput('metadata takes `key` or `key=value`.', { field: 'metadata' });
  return eq < 0 ? { key: text(key, 'metadata') } : { key: text(key, 'metadata'), value: text(value.slice(eq + 1).trim(), 'metadata') };
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
  const tags = [...new Set((search.get('tags') ?? '').split(',').map((t) => t.trim()).filter(Boolean))].map((t) => text(t, 'tags'));
  const metadata = search.getAll('metadata').filter((m) => m.trim() !== '').map(metadataFilter);
  const filter: TraceFilter = {
    from: date(search, 'from'),
    to: date(search, 'to'),
    status,
    tags: tags.length ? tags : null,
    minCostUsd,
    metadata: metadata.length ? metadata : null,
  };
  for (const name of TEXT_FILTERS) {
    const value = search.get(name)?.trim();
    filter[name] = value ? text(value, name) : null;
  }
  return { format, filter };
}
