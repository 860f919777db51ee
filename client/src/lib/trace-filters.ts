import type { SpanStatus, TraceFilter } from './generated/graphql';

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
});

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
  if (parseMinCost(f.minCost) !== null) s.set('minCost', f.minCost.trim());
  return s;
}

export function parseTags(text: string): string[] {
  return [...new Set(text.split(',').map((t) => t.trim()).filter(Boolean))];
}

export function parseMinCost(text: string): number | null {
  if (!text.trim()) return null;
  const n = Number(text);
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
  if (f.name.trim()) filter.name = f.name.trim();
  if (f.userId.trim()) filter.userId = f.userId.trim();
  if (f.sessionId.trim()) filter.sessionId = f.sessionId.trim();
  if (f.model.trim()) filter.model = f.model.trim();
  if (f.status) filter.status = f.status;
  if (f.tags.length) filter.tags = f.tags;
  const minCost = parseMinCost(f.minCost);
  if (minCost !== null) filter.minCostUsd = minCost;
  return filter;
}

/** Whether anything beyond the time range narrows the list (for the empty state's wording). */
export function hasNarrowingFilters(f: TraceFilterState): boolean {
  return filtersToSearch({ ...f, range: DEFAULT_PRESET }).size > 0;
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

/** The export's address for what the list shows: the same filters as query parameters. */
export function exportHref(projectId: string, f: TraceFilterState, format: 'jsonl' | 'csv', now: Date = new Date()): string {
  const input = toTraceFilterInput(f, now);
  const s = new URLSearchParams({ format });
  for (const key of ['from', 'to', 'name', 'userId', 'sessionId', 'model', 'status'] as const) {
    const value = input[key];
    if (value) s.set(key, String(value));
  }
  if (input.tags?.length) s.set('tags', input.tags.join(','));
  if (input.minCostUsd != null) s.set('minCostUsd', String(input.minCostUsd));
  return `/api/projects/${encodeURIComponent(projectId)}/export?${s.toString()}`;
}
