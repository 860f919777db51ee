import { redactionPlaceholder } from '../../core/redaction/placeholder.js';
import type { RedactContext, RedactionResult, Redactor } from '../../core/redaction/types.js';
import { replaceMatches } from './replace-matches.js';

// IBAN (opt-in): a country code, two check digits and the national account number (BBAN), written
// plain or in groups of four (`DE89 3704 0044 0532 0130 00`). A candidate is found once by the
// regex; `ibanLength` says how many characters the country's IBAN has, and the ISO 7064 mod-97
// check decides. A trailing word (`… 32 BIC`) is not part of it: only the country's length is
// replaced. Lengths are the IBAN registry's, per country code.

const IBAN = redactionPlaceholder('iban');

const LENGTHS: Record<string, number> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28, CZ: 24,
  DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28,
  HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20,
  LV: 21, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29,
  RO: 24, RS: 22, SA: 24, SC: 31, SE: 24, SI: 19, SK: 24, SM: 27, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22,
  VG: 24, XK: 20,
};

// Country, check digits, then 11–30 more letters/digits, each optionally after one space.
const CANDIDATE = /(?<![\p{L}\p{N}_])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![\p{L}\p{N}_])/gu;

/** ISO 7064 mod 97-10 over an IBAN without spaces (letters count as 10–35). */
export function ibanChecksumValid(iban: string): boolean {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const c = rearranged.charCodeAt(i);
    const value = c <= 57 ? c - 48 : c - 55;
    remainder = (value > 9 ? remainder * 100 + value : remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

function decide(match: string): { text: string; hits: number } | undefined {
  const length = LENGTHS[match.slice(0, 2)];
  if (length === undefined) return undefined;
  // Walk the match until `length` letters/digits are taken; the rest is kept as text.
  let taken = 0;
  let end = 0;
  let compact = '';
  for (; end < match.length && taken < length; end++) {
    if (match[end] !== ' ') {
      compact += match[end];
      taken++;
    }
  }
  if (taken < length || !ibanChecksumValid(compact)) return undefined;
  // A longer run of letters/digits glued on (no space) means it is not this IBAN.
  if (end < match.length && match[end] !== ' ') return undefined;
  return { text: IBAN + match.slice(end), hits: 1 };
}

export const ibanRedactor: Redactor = {
  name: 'iban',
  redact(text: string, _ctx: RedactContext): RedactionResult {
    return replaceMatches(text, CANDIDATE, decide);
  },
};
