// The instants tokentrace accepts from outside: UTC years 0001 to 9999. A JavaScript Date reaches
// ±275,760 years and Postgres' timestamptz 4713 BC to 294276 AD, but the drivers disagree at the
// far ends (year 0, BC years, six-digit years) and nobody's trace starts there. Inside this range
// every date reads back as it was written, on pg and on PGlite.

const MIN_MS = new Date('0001-01-01T00:00:00.000Z').getTime();
const MAX_MS = new Date('9999-12-31T23:59:59.999Z').getTime();

export function isStorableDate(date: Date): boolean {
  const ms = date.getTime();
  return !Number.isNaN(ms) && ms >= MIN_MS && ms <= MAX_MS;
}
