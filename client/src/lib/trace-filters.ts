import type { SpanStatus, TraceFilter, TraceOrder } from './generated/graphql';

// The trace list's filters live in the URL, so a view can be shared and survives a reload.
// Presets are relative ("last 24 hours" stays the last 24 hours when the link is opened later);
// a custom range is absolute.

export const TIME_PRESETS = [
  { id: '15m', label: 'Last 15 minutes', ms: 15 * 60_000 },
  { id: '1h', label: 'Last hour', ms: 3_600_000 },
  { id: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { id: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { id: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
  { id: 'all', label: 'All time', ms: null },
  { id: 'custom', label: 'Custom range', ms: null },
] as const;

export type TimePreset = (typeof TIME_PRESETS)[number]['id'];
export const DEFAULT_PRESET: TimePreset = '7d';

/** The list's sorts, by the name the URL carries; each pages with keyset cursors of its own. */
export const TRACE_SORTS = [
  { id: 'newest', label: 'Newest first', order: { field: 'START_TIME', direction: 'DESC' } },
  { id: 'oldest', label: 'Oldest first', order: { field: 'START_TIME', direction: 'ASC' } },
  { id: 'slowest', label: 'Slowest first', order: { field: 'DURATION', direction: 'DESC' } },
  { id: 'fastest', label: 'Fastest first', order: { field: 'DURATION', direction: 'ASC' } },
  { id: 'costliest', label: 'Most expensive first', order: { field: 'COST', direction: 'DESC' } },
  { id: 'cheapest', label: 'Cheapest first', order: { field: 'COST', direction: 'ASC' } },
  { id: 'most-tokens', label: 'Most tokens first', order: { field: 'TOKENS', direction: 'DESC' } },
  { id: 'fewest-tokens', label: 'Fewest tokens first', order: { field: 'TOKENS', direction: 'ASC' } },
] as const satisfies readonly { id: string; label: string; order: TraceOrder }[];

export type TraceSortId = (typeof TRACE_SORTS)[number]['id'];
export const DEFAULT_SORT: TraceSortId = 'newest';

export function orderOf(sort: TraceSortId): TraceOrder {
  return { ...(TRACE_SORTS.find((s) => s.id === sort) ?? TRACE_SORTS[0]).order };
}

/** A column header's click: its descending sort first, then ascending, then back. */
export function toggleSort(current: TraceSortId, field: TraceOrder['field']): TraceSortId {
  const desc = TRACE_SORTS.find((s) => s.order.field === field && s.order.direction === 'DESC')!;
  const asc = TRACE_SORTS.find((s) => s.order.field === field && s.order.direction === 'ASC')!;
  return current === desc.id ? asc.id : desc.id;
}

export interface TraceFilterState {
  range: TimePreset;
  /** ISO timestamps, used when range is `custom`. */
  from: string;
  to: string;
  name: string;
  userId: string;
  sessionId: string;
  model: string;
  status: '' | SpanStatus;
  tags: string[];
  /** As typed; applied only when it is a non-negative number. */
  minCost: string;
  /** A metadata filter as typed: `key` (has the key) or `key=value`. */
  meta: string;
  sort: TraceSortId;
}

export const emptyFilters = (): TraceFilterState => ({
  range: DEFAULT_PRESET,
  from: '',
  to: '',
  name: '',
  userId: '',
  sessionId: '',
  model: '',
  status: '',
  tags: [],
  minCost: '',
  meta: '',
  sort: DEFAULT_SORT,
});

const isSort = (v: string | null): v is TraceSortId => TRACE_SORTS.some((s) => s.id === v);

const isPreset = (v: string | null): v is TimePreset => TIME_PRESETS.some((p) => p.id === v);
const validIso = (v: string | null): string => (v && !Number.isNaN(new Date(v).getTime()) ? new Date(v).toISOString() : '');

export function filtersFromSearch(search: URLSearchParams): TraceFilterState {
  const status = search.get('status');
  return {
    range: isPreset(search.get('range')) ? (search.get('range') as TimePreset) : DEFAULT_PRESET,
    from: validIso(search.get('from')),
    to: validIso(search.get('to')),
    name: search.get('name') ?? '',
    userId: search.get('user') ?? '',
    sessionId: search.get('session') ?? '',
    model: search.get('model') ?? '',
    status: status === 'OK' || status === 'ERROR' ? status : '',
    tags: parseTags(search.get('tags') ?? ''),
    minCost: search.get('minCost') ?? '',
    meta: search.get('meta') ?? '',
    sort: isSort(search.get('sort')) ? (search.get('sort') as TraceSortId) : DEFAULT_SORT,
  };
}

/** Only what differs from the defaults goes into the URL, in a fixed order. */
export function filtersToSearch(f: TraceFilterState): URLSearchParams {
  const s = new URLSearchParams();
  if (f.range !== DEFAULT_PRESET) s.set('range', f.range);
  if (f.range === 'custom') {
    if (f.from) s.set('from', f.from);
    if (f.to) s.set('to', f.to);
  }
  if (f.name.trim()) s.set('name', f.name.trim());
  if (f.userId.trim()) s.set('user', f.userId.trim());
  if (f.sessionId.trim()) s.set('session', f.sessionId.trim());
  if (f.model.trim()) s.set('model', f.model.trim());
  if (f.status) s.set('status', f.status);
  if (f.tags.length) s.set('tags', f.tags.join(','));
  if (parseMinCost(f.minCost) !== null) s.set('minCost', String(f.minCost).trim());
  if (parseMeta(f.meta)) s.set('meta', f.meta.trim());
  if (f.sort !== DEFAULT_SORT) s.set('sort', f.sort);
  return s;
}

/** `key` or `key=value` (the first `=` splits; spaces around the key are dropped). */
export function parseMeta(text: string): { key: string; value?: string } | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  const eq = trimmed.indexOf('=');
  if (eq < 0) return { key: trimmed };
  const key = trimmed.slice(0, eq).trim();
  return key ? { key, value: trimmed.slice(eq + 1).trim() } : null;
}

export function parseTags(text: string): string[] {
  return [...new Set(text.split(',').map((t) => t.trim()).filter(Boolean))];
}

/** A non-negative amount, or null. Takes a number too: a number input bound with bind:value yields one. */
export function parseMinCost(text: string | number | null | undefined): number | null {
  const trimmed = String(text ?? '').trim();
  if (!trimmed) return null;
  const n = Number(trimmed);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

/** The GraphQL filter for the state, with relative presets resolved against `now`. */
export function toTraceFilterInput(f: TraceFilterState, now: Date = new Date()): TraceFilter {
  const filter: TraceFilter = {};
  const preset = TIME_PRESETS.find((p) => p.id === f.range);
  if (preset?.ms) filter.from = new Date(now.getTime() - preset.ms).toISOString();
  if (f.range === 'custom') {
    if (f.from) filter.from = f.from;
    if (f.to) filter.to = f.to;
  }
  // Name and model match by substring in the dashboard (the API keeps exact `name`/`model` too).
  if (f.name.trim()) filter.nameContains = f.name.trim();
  if (f.userId.trim()) filter.userId = f.userId.trim();
  if (f.sessionId.trim()) filter.sessionId = f.sessionId.trim();
  if (f.model.trim()) filter.modelContains = f.model.trim();
  if (f.status) filter.status = f.status;
  if (f.tags.length) filter.tags = f.tags;
  const minCost = parseMinCost(f.minCost);
  if (minCost !== null) filter.minCostUsd = minCost;
  const meta = parseMeta(f.meta);
  if (meta) filter.metadata = [meta];
  return filter;
}

/** Whether anything beyond the time range narrows the list (for the empty state's wording). */
export function hasNarrowingFilters(f: TraceFilterState): boolean {
  return filtersToSearch({ ...f, range: DEFAULT_PRESET, sort: DEFAULT_SORT }).size > 0;
}

/** `2026-11-01T10:00` for a datetime-local input, in the viewer's time zone. */
export function isoToLocalInput(iso: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function localInputToIso(value: string): string {
  if (!value) return '';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

/**
 * The export's address for what the list shows: the very filter the list queries with, as query
 * parameters of the same names (the server refuses a name it does not know, so a filter added to
 * the list but not to the export fails loudly instead of exporting more than is shown).
 */
export function exportHref(projectId: string, f: TraceFilterState, format: 'jsonl' | 'csv', now: Date = new Date()): string {
  const input = toTraceFilterInput(f, now);
  const s = new URLSearchParams({ format });
  for (const [key, value] of Object.entries(input) as [keyof TraceFilter, TraceFilter[keyof TraceFilter]][]) {
    if (value === null || value === undefined) continue;
    if (key === 'tags') s.set('tags', (value as string[]).join(','));
    else if (key === 'metadata') for (const m of value as { key: string; value?: string | null }[]) s.append('metadata', m.value == null ? m.key : `${m.key}=${m.value}`);
    else s.set(key, String(value));
  }
  return `/api/projects/${encodeURIComponent(projectId)}/export?${s.toString()}`;
}
