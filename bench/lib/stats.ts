/** Nearest-rank percentile (p in 0..100) of unsorted samples; NaN when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function fmt(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '-';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A plain text table: first column left-aligned, the others right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

/** µs per call of `run`: `warmUp` calls first, then batches of 20 until `minMs` have passed. */
export function timePerCall(run: () => unknown, { minMs = 400, warmUp = 50 }: { minMs?: number; warmUp?: number } = {}): number {
  for (let i = 0; i < warmUp; i++) run();
  let calls = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    for (let i = 0; i < 20; i++) run();
    calls += 20;
  }
  return ((performance.now() - start) / calls) * 1000;
}
