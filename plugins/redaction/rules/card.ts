import { redactionPlaceholder } from '../../core/redaction/placeholder.js';
import type { RedactContext, RedactionResult, Redactor } from '../../core/redaction/types.js';
import { matchesIin } from './card-iin.js';
import { digitCount, holdsDigitPair, replaceInClusters } from './replace-matches.js';

// ---------------------------------------------------------------------------------------------
// card
// ---------------------------------------------------------------------------------------------

const CARD = redactionPlaceholder('card');

/** Luhn (mod 10) check of a string of ASCII digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/**
 * A payment card number: 12–19 digits, Luhn-valid, and in an IIN range of a network that issues
 * cards of that length (card-iin.ts: Visa, Mastercard, Amex, Discover, Diners, JCB, UnionPay,
 * Maestro, Mir, RuPay, Troy, UATP, Verve and others). The range check is what keeps Luhn's one
 * random number in ten out: 13-digit millisecond timestamps (`17…`), ISBN-13s (`978…`), IMEIs
 * (15 digits, Luhn-valid by design, `35…`/`49…`) and most long ids fall outside every range.
 */
export function isCardNumber(digits: string): boolean {
  return digits.length >= 12 && digits.length <= 19 && matchesIin(digits) && luhnValid(digits);
}

// A candidate is a run of digit groups of ≥3 digits joined by ONE space or dash
// (`4111 1111 1111 1111`, `3782-822463-10005`, `4111111111111111`). A separator is required
// between groups, so there is one way to split a candidate (linear). It must not continue a
// word, a decimal (`1.234…`, `1,234…`) or a longer number; a trailing 1–2 digit group
// (`… 1111 12/28`) simply ends the candidate. Inside a candidate, `redactCards` looks for
// windows of consecutive groups holding a card (so `Order 123 4111 1111 1111 1111` works).
const CARD_CANDIDATE = /(?<![\p{L}\p{N}_.,])\d{3,19}(?:[ \-]\d{3,19})*(?![\p{L}\p{N}_]|[.,]\d)/gu;
// The same runs of digit groups without the look-arounds and the `u` flag, which V8 scans at
// memory speed; CARD_CANDIDATE (a Unicode look-behind tried at every position, the costliest
// regex of PII redaction at ingest) then runs only on these, with 2 characters of context for
// its look-arounds (replaceInClusters). Fewer than 12 digits cannot hold a card.
const CARD_CLUSTER = /\d{3,}(?:[ \-]\d{3,})*/g;

/** Luhn over the digits of `text[start, end)`, skipping separators. */
function luhnRange(text: string, start: number, end: number): boolean {
  let sum = 0;
  let double = false;
  for (let i = end - 1; i >= start; i--) {
    let d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) continue;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

function redactCards(candidate: string): { text: string; hits: number } | undefined {
  // Digit groups (the candidate is digit groups joined by single separators).
  const starts: number[] = [];
  const ends: number[] = [];
  for (let i = 0; i < candidate.length; ) {
    const begin = i;
    while (i < candidate.length && candidate.charCodeAt(i) >= 48 && candidate.charCodeAt(i) <= 57) i++;
    starts.push(begin);
    ends.push(i);
    i++; // separator
  }
  if (candidate.length - (starts.length - 1) < 12) return undefined; // fewer than 12 digits: most candidates
  let out = '';
  let emitted = 0;
  let hits = 0;
  for (let i = 0; i < starts.length; ) {
    // No network issues cards starting with 0 or 7.
    const first = candidate.charCodeAt(starts[i]!) - 48;
    let found = -1;
    if (first !== 0 && first !== 7) {
      // Longest window of whole groups starting at group i with 12–19 digits that passes Luhn and
      // falls in a network's IIN range for its length.
      let digits = 0;
      for (let j = i; j < starts.length; j++) {
        digits += ends[j]! - starts[j]!;
        if (digits > 19) break;
        if (digits >= 12 && luhnRange(candidate, starts[i]!, ends[j]!) && matchesIin(candidate.slice(starts[i], ends[j]).replace(/\D/g, ''))) found = j;
      }
    }
    if (found === -1) {
      i++;
      continue;
    }
    out += candidate.slice(emitted, starts[i]) + CARD;
    emitted = ends[found]!;
    hits++;
    i = found + 1;
  }
  if (hits === 0) return undefined;
  return { text: out + candidate.slice(emitted), hits };
}

/** The rule without its gate: card-gate.test.ts checks the gated rule gives the same results. */
export function redactCardNumbers(text: string): RedactionResult {
  return replaceInClusters(text, CARD_CLUSTER, (c) => c.length >= 12 && digitCount(c) >= 12, CARD_CANDIDATE, (match) => redactCards(match));
}

export const cardRedactor: Redactor = {
  name: 'card',
  redact(text: string, _ctx: RedactContext): RedactionResult {
    // A cluster starts with three digits. The pair test is a little slower than CARD_CLUSTER's own
    // scan, but the phone rule, next, reuses its answer for the same text instead of scanning again.
    if (!holdsDigitPair(text)) return { text, hits: 0 };
    return redactCardNumbers(text);
  },
};

