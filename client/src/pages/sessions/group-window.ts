import type { SessionFilter } from '../../lib/generated/graphql';

// Sessions and users are read within a time window (their aggregates count the traces inside it).

export const GROUP_WINDOWS = [
  { id: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { id: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { id: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
  { id: 'all', label: 'All time', ms: null },
] as const;

export const DEFAULT_WINDOW = '7d';

export function windowFilter(id: string | null, now: Date = new Date()): Pick<SessionFilter, 'from'> {
  const w = GROUP_WINDOWS.find((x) => x.id === id) ?? GROUP_WINDOWS.find((x) => x.id === DEFAULT_WINDOW)!;
  return w.ms === null ? {} : { from: new Date(now.getTime() - w.ms).toISOString() };
}
