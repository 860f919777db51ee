// Text that Postgres cannot store as it was sent. A NUL (U+0000) is refused by `text` and
// `jsonb` alike, which surfaced as an internal error. A lone UTF-16 surrogate (half of a pair,
// e.g. "\ud800") cannot be encoded as UTF-8: the driver silently writes U+FFFD into `text`
// (so what is stored is not what was sent, and two different values collide), and `jsonb`
// refuses it. Callers refuse such text with BAD_USER_INPUT instead.

export type UnstorableTextReason = 'a NUL character (U+0000)' | 'a lone UTF-16 surrogate (half of a character)';

export function unstorableTextReason(text: string): UnstorableTextReason | undefined {
  if (text.includes('\u0000')) return 'a NUL character (U+0000)';
  if (!isWellFormed(text)) return 'a lone UTF-16 surrogate (half of a character)';
  return undefined;
}

// String.prototype.isWellFormed (Node 20+); typed by hand, as the project's lib is ES2023.
const isWellFormed = (text: string): boolean => (text as string & { isWellFormed(): boolean }).isWellFormed();
