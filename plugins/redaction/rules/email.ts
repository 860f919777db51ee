import { redactionPlaceholder } from '../../core/redaction/placeholder.js';
import type { RedactContext, RedactionResult, Redactor } from '../../core/redaction/types.js';

// ---------------------------------------------------------------------------------------------
// email
// ---------------------------------------------------------------------------------------------

const EMAIL = redactionPlaceholder('email');

// Local part: the characters real addresses use (letters and digits of any script, `. _ % + - '`).
// RFC 5322 also allows `! # $ & * / = ? ^ \` { | } ~`, but with them `page?to=ann@x.io` or
// `medium.com/@ann.lee` would swallow URL text; an address using them is still redacted from
// the last such character on (`a!b@x.io` → `a![REDACTED:email]`).
// It cannot start with `.` or `'` (so `'ann@x.io'` keeps its quotes) and is at most 64 characters
// (RFC 5321); a longer run is redacted from 64 characters before the `@`.
// Quoted local parts (`"john..doe"@example.com`, `"a b"@x.io`) are matched as a whole.
// Domain: up to 127 labels of ≤63 characters (not starting/ending with `-`) plus a TLD of letters
// (or punycode `xn--…`); or an address literal `[192.0.2.1]` / `[IPv6:…]`. `user@localhost`
// (no TLD) is left alone.
//
// Why not one regex: a regex has to try every position as a local-part start and look up to 64
// characters ahead for an `@`, and `\p{L}` classes are slow on two-byte strings (any text with a
// non-Latin-1 character): 100 KB of crafted text cost ~200 ms. Anchoring on the `@` instead —
// walk back ≤64 characters, match the domain with a sticky regex — costs O(n): local parts and
// domains cannot contain `@`, so no character is examined for more than one `@`.
// \p{M}: combining marks, which scripts such as Devanagari need inside words (`डाटा.भारत`).
const EMAIL_LABEL = String.raw`[\p{L}\p{N}](?:[\p{L}\p{M}\p{N}\-]{0,61}[\p{L}\p{M}\p{N}])?`;
const EMAIL_DOMAIN = new RegExp(
  String.raw`(?:${EMAIL_LABEL}\.){1,127}(?:xn--[A-Za-z0-9\-]{1,59}|\p{L}[\p{L}\p{M}]{1,62})|\[(?:IPv6:)?[0-9A-Fa-f:.]{2,45}\]`,
  'uy',
);
/** Applied to the ≤140 characters before a `"@`. */
const QUOTED_LOCAL = /"(?:[^"\\\r\n]|\\.){1,64}"$/u;
const LOCAL_ASCII: readonly boolean[] = Array.from({ length: 128 }, (_, c) => /[A-Za-z0-9_%+\-.']/.test(String.fromCharCode(c)));
const LETTER_OR_DIGIT = /^[\p{L}\p{M}\p{N}]$/u;

/** Start of the unquoted local part ending at `at` (not before `floor`), or -1. */
function localPartStart(text: string, at: number, floor: number): number {
  let i = at;
  for (let count = 0; i > floor && count < 64; count++) {
    let j = i - 1;
    const c = text.charCodeAt(j);
    if (c < 128) {
      if (!LOCAL_ASCII[c]) break;
    } else {
      // Step over a surrogate pair as one character.
      if (c >= 0xdc00 && c <= 0xdfff && j > floor) {
        const high = text.charCodeAt(j - 1);
        if (high >= 0xd800 && high <= 0xdbff) j--;
      }
      if (!LETTER_OR_DIGIT.test(text.slice(j, i))) break;
    }
    i = j;
  }
  while (i < at && (text[i] === '.' || text[i] === "'")) i++;
  return i < at ? i : -1;
}

function redactEmails(text: string): RedactionResult {
  const out: string[] = [];
  let emitted = 0;
  let hits = 0;
  for (let at = text.indexOf('@'); at !== -1; ) {
    EMAIL_DOMAIN.lastIndex = at + 1;
    const domain = EMAIL_DOMAIN.exec(text);
    let start = -1;
    if (domain) {
      if (text[at - 1] === '"') {
        const from = Math.max(emitted, at - 140);
        const quoted = QUOTED_LOCAL.exec(text.slice(from, at));
        if (quoted) start = from + quoted.index;
      }
      if (start === -1) start = localPartStart(text, at, emitted);
    }
    if (domain && start !== -1) {
      const end = at + 1 + domain[0].length;
      out.push(text.slice(emitted, start), EMAIL);
      emitted = end;
      hits++;
      at = text.indexOf('@', end);
    } else {
      at = text.indexOf('@', at + 1);
    }
  }
  if (hits === 0) return { text, hits };
  out.push(text.slice(emitted));
  return { text: out.join(''), hits }; // see replaceMatches
}

export const emailRedactor: Redactor = {
  name: 'email',
  redact(text: string, _ctx: RedactContext): RedactionResult {
    return redactEmails(text);
  },
};

