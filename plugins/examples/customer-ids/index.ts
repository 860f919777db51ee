// A third-party redaction plugin, written the way one would ship outside this repository: only
// the public contract from plugins/core is used. See README.md next to this file.
import { definePlugin, redactionPlaceholder, type RedactionResult, type Redactor } from '../../core/index';

export interface CustomerIdsOptions {
  /**
   * Project code names to hide, matched as whole words, case-insensitively; spaces inside a
   * name match any run of white space. Regex characters are taken literally.
   * @default []
   */
  codeNames?: string[];
}

/** The placeholder convention of every tokentrace rule (from the contract), so dashboards read alike. */
const placeholder = redactionPlaceholder;

/**
 * `CUST-` and 6 or more digits, as a whole token, in any case (ids are typed by people: `cust-…`
 * turns up in URLs and chat). A letter or `_` right after the digits means it is something else
 * (`CUST-123456A`), so it is left alone.
 *
 * Only the fixed-length start is a regex; the rest of the digit run is scanned by hand. Both
 * `\d{6,}\b` and a bare greedy `\d{6,}` are slow on a long digit run in V8 (the first walks it
 * back digit by digit before failing; the second grows the backtrack stack one entry per digit —
 * tens of ms per 100 000 digits), and span content is whatever a client sends.
 */
const CUSTOMER_ID_START = /\bCUST-\d{6}/gi;
const WORD_CHAR = /[\p{L}\p{N}_]/u;
const isDigit = (code: number): boolean => code >= 48 && code <= 57;

/** A letter, digit or underscore on either side means the name is part of a longer word. */
const WORD_CHAR_BEFORE = '(?<![\\p{L}\\p{N}_])';
const WORD_CHAR_AFTER = '(?![\\p{L}\\p{N}_])';
const MAX_CODE_NAME_LENGTH = 200;
const MAX_CODE_NAMES = 1000;

// The syntax characters: the only ones the `u` flag lets us escape outside a class (`\-` is an error).
const escapeRegExp = (text: string): string => text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');

/** Replaces every match of a global regex with the rule's placeholder, counting them. */
function replaceAll(text: string, regex: RegExp, rule: string): RedactionResult {
  let hits = 0;
  const out = text.replace(regex, () => {
    hits++;
    return placeholder(rule);
  });
  return { text: hits === 0 ? text : out, hits };
}

export const customerIdRedactor: Redactor = {
  name: 'customer-id',
  redact(text) {
    // A fresh regex per call: `lastIndex` is state, and a shared one would leak between calls.
    const start = new RegExp(CUSTOMER_ID_START);
    let out = '';
    let copied = 0;
    let hits = 0;
    for (let m = start.exec(text); m !== null; m = start.exec(text)) {
      let end = m.index + m[0].length;
      while (end < text.length && isDigit(text.charCodeAt(end))) end++;
      start.lastIndex = end;
      if (end < text.length && WORD_CHAR.test(text[end]!)) continue;
      out += text.slice(copied, m.index) + placeholder('customer-id');
      copied = end;
      hits++;
    }
    return hits === 0 ? { text, hits } : { text: out + text.slice(copied), hits };
  },
};

/** Checks the options when the config file is read, so a typo stops the start, naming us. */
function checkCodeNames(codeNames: unknown): string[] {
  if (!Array.isArray(codeNames)) throw new TypeError('customer-ids: codeNames must be an array of strings');
  if (codeNames.length > MAX_CODE_NAMES) throw new RangeError(`customer-ids: at most ${MAX_CODE_NAMES} code names`);
  return codeNames.map((name, i) => {
    if (typeof name !== 'string' || name.trim() === '') throw new TypeError(`customer-ids: codeNames[${i}] must be a non-empty string`);
    if (name.length > MAX_CODE_NAME_LENGTH) throw new RangeError(`customer-ids: codeNames[${i}] is longer than ${MAX_CODE_NAME_LENGTH} characters`);
    return name.trim();
  });
}

/**
 * One alternation of the escaped names, longest first so `Blue Falcon` wins over `Blue`.
 * Alternatives are literals (plus `\s+` between words, bounded by non-space characters), so
 * the cost is linear in the text times the number of names.
 */
export function codeNameRedactor(codeNames: string[]): Redactor {
  const unique = [...new Map(checkCodeNames(codeNames).map((n) => [n.toLowerCase(), n])).values()];
  if (unique.length === 0) return { name: 'code-name', redact: (text) => ({ text, hits: 0 }) };
  const alternatives = unique
    .sort((a, b) => b.length - a.length)
    .map((name) => name.split(/\s+/).map(escapeRegExp).join('\\s+'));
  const regex = new RegExp(`${WORD_CHAR_BEFORE}(?:${alternatives.join('|')})${WORD_CHAR_AFTER}`, 'giu');
  return { name: 'code-name', redact: (text) => replaceAll(text, regex, 'code-name') };
}

/**
 * Redacts internal customer ids (`CUST-123456` → `[REDACTED:customer-id]`) and the given
 * project code names (→ `[REDACTED:code-name]`) in span input, output and metadata, on every
 * project, whatever its `piiRedaction` setting.
 */
export function customerIds(options: CustomerIdsOptions = {}) {
  return definePlugin({
    name: 'customer-ids',
    redactors: [customerIdRedactor, codeNameRedactor(options.codeNames ?? [])],
  });
}
