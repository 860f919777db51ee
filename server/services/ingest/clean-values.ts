// Cleaning of text that Postgres cannot store as sent. Two kinds of bad value are cleaned rather
// than rejected, because they carry no meaning a reader would miss and third-party
// instrumentation emits them from data the user does not control:
//   - NUL (U+0000): Postgres `text` and `jsonb` refuse it; it is removed.
//   - a lone UTF-16 surrogate (half of an emoji cut by a truncating instrumentation): `jsonb`
//     refuses its escape and UTF-8 cannot encode it; it becomes U+FFFD, as a UTF-8 decoder would.
// Span content (input, output) is stored as bytes through the codec, so it is left as sent.

declare global {
  // ES2024 (Node 20 has both); the project's lib is ES2023.
  interface String {
    isWellFormed(): boolean;
    toWellFormed(): string;
  }
}

const NUL = '\u0000';

export function cleanText(text: string): string {
  const withoutNul = text.includes(NUL) ? text.replaceAll(NUL, '') : text;
  return withoutNul.isWellFormed() ? withoutNul : withoutNul.toWellFormed();
}

/**
 * Sets an own, enumerable property: unlike `obj[key] = value`, a key named `__proto__` (which
 * JSON.parse and OTel attributes can carry) stays a key instead of replacing the prototype.
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

export class JsonTooDeepError extends Error {
  override name = 'JsonTooDeepError';
}

export interface CleanedJson {
  value: unknown;
  /** About the size of the value as JSON: string lengths plus a little per entry. */
  approxBytes: number;
}

/**
 * A copy of a JSON value with its strings and keys cleaned (the value itself when nothing needed
 * cleaning). Throws JsonTooDeepError past `maxDepth` levels: recursion stops there, so a value
 * nested 100,000 deep cannot exhaust the stack.
 */
export function cleanJson(value: unknown, maxDepth: number): CleanedJson {
  const size = { bytes: 0 };
  return { value: cleanAt(value, maxDepth, size), approxBytes: size.bytes };
}

function cleanAt(value: unknown, depthLeft: number, size: { bytes: number }): unknown {
  if (typeof value === 'string') {
    size.bytes += value.length + 2;
    return cleanText(value);
  }
  if (value === null || typeof value !== 'object') {
    size.bytes += 8;
    return value;
  }
  if (depthLeft <= 0) throw new JsonTooDeepError();
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      const cleaned = cleanAt(item, depthLeft - 1, size);
      if (cleaned !== item) (copy ??= value.slice())[i] = cleaned;
    }
    size.bytes += 2;
    return copy ?? value;
  }
  let copy: Record<string, unknown> | undefined;
  const entries = Object.entries(value as Record<string, unknown>);
  for (const [key, item] of entries) {
    const cleanKey = cleanText(key);
    const cleaned = cleanAt(item, depthLeft - 1, size);
    size.bytes += key.length + 4;
    if (cleanKey !== key || cleaned !== item) copy ??= {};
  }
  size.bytes += 2;
  if (!copy) return value;
  // Rebuilt in order once something changed (rare): keys that clean to the same text merge, last wins.
  for (const [key, item] of entries) setOwn(copy, cleanText(key), cleanAt(item, depthLeft - 1, { bytes: 0 }));
  return copy;
}

/** True when a JSON value nests deeper than `maxDepth` levels; never walks below that depth. */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (maxDepth <= 0) return true;
  if (Array.isArray(value)) return value.some((item) => nestsDeeperThan(item, maxDepth - 1));
  for (const key in value as Record<string, unknown>) {
    if (nestsDeeperThan((value as Record<string, unknown>)[key], maxDepth - 1)) return true;
  }
  return false;
}
