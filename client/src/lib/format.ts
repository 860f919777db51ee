// Display formatting, in one place so every table agrees on units and precision.

const dateTime = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
const integer = new Intl.NumberFormat('en-US');

/** A timestamp in the viewer's locale and time zone; an em dash for none. */
export function formatDateTime(value: string | Date | null | undefined): string {
  if (!value) return '—';
  const d = typeof value === 'string' ? new Date(value) : value;
  return Number.isNaN(d.getTime()) ? '—' : dateTime.format(d);
}

/** `250 ms`, `1.25 s`, `2m 05s`: short enough for a table cell. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms === 0) return '0 ms';
  if (ms < 1) return `${Number(ms.toPrecision(2))} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
}

/** US dollars with enough digits for per-call prices (`$0.000150`), fewer for large sums. */
export function formatCost(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return '—';
  if (usd === 0) return '$0';
  if (Math.abs(usd) < 0.01) return `$${usd.toFixed(6)}`;
  if (Math.abs(usd) < 100) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(2)}`;
}

export function formatInt(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return integer.format(n);
}

/** "3 minutes ago" style, for last-used columns. */
export function formatRelative(value: string | Date | null | undefined, now: Date = new Date()): string {
  if (!value) return 'never';
  const d = typeof value === 'string' ? new Date(value) : value;
  const diff = now.getTime() - d.getTime();
  const future = diff < 0;
  const abs = Math.abs(diff);
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
  ];
  for (const [size, unit] of units) {
    if (abs >= size) {
      const n = Math.floor(abs / size);
      const text = `${n} ${unit}${n === 1 ? '' : 's'}`;
      return future ? `in ${text}` : `${text} ago`;
    }
  }
  return future ? 'in under a minute' : 'just now';
}

// Chart axes: numbers as people write them — $0.002 not $0.002000, 250 ms not 250.00 ms, 12K.

const usdSmall = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumSignificantDigits: 2 });
const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 0, maximumFractionDigits: 2 });
const usdCompact = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', notation: 'compact', minimumFractionDigits: 0, maximumFractionDigits: 1 });
const countCompact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** `$0`, `$0.002`, `$0.25`, `$1.5`, `$12`, `$1.2K`. */
export function formatCostAxis(value: number): string {
  if (!Number.isFinite(value)) return '';
  if (value === 0) return '$0';
  const abs = Math.abs(value);
  if (abs < 1) return usdSmall.format(value);
  if (abs < 10_000) return usd.format(value);
  return usdCompact.format(value);
}

/** `0 ms`, `0.5 ms`, `250 ms`, `1.5 s`, `2 min`. */
export function formatDurationAxis(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  if (ms === 0) return '0 ms';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Number(ms.toPrecision(abs < 1 ? 1 : 3))} ms`;
  if (abs < 60_000) return `${Number((ms / 1000).toPrecision(3))} s`;
  return `${Number((ms / 60_000).toPrecision(3))} min`;
}

/** `0`, `250`, `9,500`, `12K`, `1.5M`. */
export function formatCountAxis(n: number): string {
  if (!Number.isFinite(n)) return '';
  return Math.abs(n) < 10_000 ? integer.format(n) : countCompact.format(n);
}
