import type { UsageBucket } from '../../lib/generated/graphql';

// The usage page's ranges: each picks a bucket that keeps the chart readable and under the
// server's 400-bucket limit.

export const USAGE_RANGES = [
  { id: '24h', label: 'Last 24 hours', ms: 86_400_000, bucket: 'HOUR' },
  { id: '7d', label: 'Last 7 days', ms: 7 * 86_400_000, bucket: 'HOUR' },
  { id: '30d', label: 'Last 30 days', ms: 30 * 86_400_000, bucket: 'DAY' },
  { id: '90d', label: 'Last 90 days', ms: 90 * 86_400_000, bucket: 'DAY' },
  { id: '365d', label: 'Last 365 days', ms: 365 * 86_400_000, bucket: 'DAY' },
] as const satisfies readonly { id: string; label: string; ms: number; bucket: UsageBucket }[];

export type UsageRangeId = (typeof USAGE_RANGES)[number]['id'];

export function usageWindow(id: string, now: Date = new Date()): { from: string; to: string; bucket: UsageBucket } {
  const range = USAGE_RANGES.find((r) => r.id === id) ?? USAGE_RANGES[1];
  const hour = 3_600_000;
  // End at the next full hour so the current bucket is included and the query is cache-friendly.
  const to = new Date(Math.ceil((now.getTime() + 1) / hour) * hour);
  return { from: new Date(to.getTime() - range.ms).toISOString(), to: to.toISOString(), bucket: range.bucket };
}

export function bucketLabel(iso: string, bucket: UsageBucket): string {
  const d = new Date(iso);
  return bucket === 'HOUR'
    ? d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })
    : d.toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
}
