import type { RedactContext, RedactionResult, Redactor } from '../core/plugin';

// Built-in PII rules: `secret`, `email`, `card`, `phone`.
//
// Plain and dependency-free on purpose (only a type import): the server and the browser/Node SDK
// bundle the same file, so there is no `node:` import and no Buffer here.
//
// ORDER. `piiRedactors` applies the rules in this order, each to the output of the previous one:
//
//   1. secret  keys and tokens carry digit runs (`AKIA…`, JWTs, `sk-…`) that later rules would
//              otherwise read as a card or phone number and only half-redact;
//   2. email   local parts may be digits (`4155552671@example.com`, `44.20.7946@…`);
//   3. card    `4111 1111 1111 1111` is four digit groups — the phone rule must not see it first;
//   4. phone   the loosest rule, last.
//
// A placeholder (`[REDACTED:rule]`) holds no digit and no `@`, so no later rule matches it.
//
// LINEAR TIME. Every pattern is built so that, from any start position, the engine has a bounded
// amount of work: repeated groups are separated by a character the repeated part cannot contain
// (e.g. `(?:[ .-]\d{1,8}){0,6}` — a separator is required between digit groups), runs that are
// followed by something that can fail are bounded (`\d{1,8}`, a PEM body ≤16 KiB), an unbounded
// run only appears where a start position cannot be inside an earlier run (look-behind
// boundaries: `(?<![\p{L}\p{N}_-])eyJ…`), and nothing is nested over overlapping classes. Where a candidate
// needs a check a regex cannot do (Luhn, digit counts, "is it a date"), the regex finds a
// candidate once and a function decides — the check never makes the regex retry.
// `pii-rules.test.ts` runs each rule over adversarial 100 KB inputs with a time limit.
//
// Every regex uses the `u` flag (for `\p{L}` / `\p{N}` boundaries) and look-behind: ES2018,
// i.e. Node ≥ 10, Chrome 62, Firefox 78, Safari 16.4.

export const redactionPlaceholder = (rule: string): string => `[REDACTED:${rule}]`;

/**
 * Runs a global regex over the text; `decide` returns the replacement for a match, or
 * `undefined` to keep it (not a hit). An `exec` loop rather than `String.prototype.replace` with
 * a callback: `replace` first collects every match of a 100 KB string (thousands of number
 * candidates), which made the card and phone rules 3–4× slower per KB at 100 KB than at 10 KB;
 * the loop keeps each match short-lived and builds no new string when nothing is replaced.
 * The regexes are module-level: `lastIndex` is reset on entry, and `decide` must not reuse them.
 */
function replaceMatches(
  text: string,
  regex: RegExp,
  decide: (match: string, named: Record<string, string | undefined>) => { text: string; hits: number } | undefined,
): RedactionResult {
  const out: string[] = [];
  let emitted = 0;
  let hits = 0;
  regex.lastIndex = 0;
  for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
    const match = m[0];
    if (match === '') {
      regex.lastIndex++; // cannot happen with these patterns; never loop forever
      continue;
    }
    const decision = decide(match, m.groups ?? {});
    if (!decision) continue;
    out.push(text.slice(emitted, m.index), decision.text);
    emitted = m.index + match.length;
    hits += decision.hits;
  }
  regex.lastIndex = 0;
  if (hits === 0) return { text, hits };
  out.push(text.slice(emitted));
  // One flat string. (Building any string over 128 KiB — 64 K characters of two-byte text —
  // costs V8 ~0.5–1 ms, a large-object allocation; so does flattening a rope of that size, so
  // this is the same cost `+=` would defer to the next rule. It is why the 100 KB bench row with
  // PII costs more per KB than the 10 KB one.)
  return { text: out.join(''), hits };
}

// ---------------------------------------------------------------------------------------------
// secret
// ---------------------------------------------------------------------------------------------

const SECRET = redactionPlaceholder('secret');

/** Not glued to the end of a longer token (`task-…` must not start an `sk-` key). */
const TOKEN_START = String.raw`(?<![\p{L}\p{N}_\-])`;

const SECRET_PATTERNS: string[] = [
  // PEM private key, any kind: a BEGIN marker naming an RSA, EC, OPENSSH, ENCRYPTED or plain
  // PRIVATE KEY, or PGP's PRIVATE KEY BLOCK, across lines.
  // The body is everything up to the next `-----` (a body never contains five dashes), at most
  // 16 KiB (an RSA-8192 key is ~6.5 KB). It is captured inside a look-ahead and re-matched with
  // `\k<pem>`: JS has no atomic groups, and this is the standard emulation — a look-ahead is never
  // re-entered, so a missing END costs one scan to the next `-----` instead of a backtrack over
  // every body length (100 KB of BEGIN markers went from 115 ms to ~1 ms).
  // Without an END marker (a truncated log line) we still redact the marker and the base64 lines
  // after it — real newlines or JSON-escaped `\n`.
  String.raw`-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:(?=(?<pem>(?:[^\-]|-(?!----)){0,16384}))\k<pem>-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|(?:(?:\r?\n|\\r\\n|\\n)[A-Za-z0-9+\/=]{1,128}){0,256})`,
  // JWT / JWE: header is base64url JSON (`{"` encodes as `eyJ`); 3 segments (JWS; the signature
  // is empty for alg=none) or 5 (JWE; the key segment is empty for alg=dir). Segments cannot
  // contain `.`, so there is one way to split; the two extra JWE segments must be non-empty, so
  // a sentence's closing `.` after a JWT stays outside the match.
  String.raw`${TOKEN_START}eyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]*\.[A-Za-z0-9_\-]*(?:\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+)?`,
  // Anthropic `sk-ant-…`, OpenAI `sk-proj-…` / `sk-svcacct-…` / `sk-admin-…`: distinctive prefix.
  // Legacy OpenAI `sk-<48 alnum>` (and other providers' `sk-<hex>`): 20 letters/digits with no
  // dash, then any token characters, and a digit before the first non-letter — so kebab-case
  // words (`sk-learn-compatible-transformers`) are not taken for a key. (A random 48-character
  // base62 key has no digit with probability 0.02%.)
  String.raw`${TOKEN_START}sk-(?:(?:ant|proj|svcacct|admin)-[A-Za-z0-9_\-]{20,}|(?=[A-Za-z]{0,64}\d)[A-Za-z0-9]{20}[A-Za-z0-9_\-]*)`,
  // Google API key: `AIza` + 35 (39 characters in all).
  String.raw`${TOKEN_START}AIza[0-9A-Za-z_\-]{35}`,
  // AWS access key id (long-term `AKIA`, temporary `ASIA`).
  String.raw`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`,
  // AWS secret access key: 40 base64 characters after the setting's name (credentials file,
  // env, JSON, YAML). Only the value is replaced; the name and separator (`awsName`) are kept.
  String.raw`(?<awsName>(?:aws_secret_access_key|AWS_SECRET_ACCESS_KEY|[Ss]ecretAccessKey|aws_secret_key|AWS_SECRET_KEY)["']?[ \t]{0,8}[:=][ \t]{0,8}["']?)[A-Za-z0-9\/+]{40}(?![A-Za-z0-9\/+=])`,
  // GitHub: classic `ghp_` (PAT), `gho_` (OAuth), `ghu_`/`ghs_` (app user/server), `ghr_`
  // (refresh) — 36 base62 after the prefix; fine-grained `github_pat_<22>_<59>`.
  String.raw`\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})`,
  // Slack bot/app/user/refresh tokens.
  String.raw`\bxox[abpr]-[A-Za-z0-9\-]{10,}`,
  // Stripe secret and restricted keys (live; test-mode keys are credentials too).
  String.raw`\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}`,
  // Hugging Face access token.
  String.raw`\bhf_[A-Za-z0-9]{30,}`,
  // Our own ingest keys / personal access tokens (server/auth/secrets.ts): `ttk_`/`ttp_` + 61
  // base62. Shape only: the CRC check needs node:crypto-free code we do not want to duplicate,
  // and a well-formed look-alike with a bad checksum is worth hiding anyway.
  String.raw`\btt[kp]_[0-9A-Za-z]{61}(?![0-9A-Za-z])`,
];

const SECRET_REGEX = new RegExp(SECRET_PATTERNS.join('|'), 'gu');

export const secretRedactor: Redactor = {
  name: 'secret',
  redact(text: string, _ctx: RedactContext): RedactionResult {
    return replaceMatches(text, SECRET_REGEX, (_match, named) => {
      const awsKeyName = named.awsName;
      return { text: awsKeyName === undefined ? SECRET : awsKeyName + SECRET, hits: 1 };
    });
  },
};

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
const EMAIL_LABEL = String.raw`[\p{L}\p{N}](?:[\p{L}\p{N}\-]{0,61}[\p{L}\p{N}])?`;
const EMAIL_DOMAIN = new RegExp(
  String.raw`(?:${EMAIL_LABEL}\.){1,127}(?:xn--[A-Za-z0-9\-]{1,59}|\p{L}{2,63})|\[(?:IPv6:)?[0-9A-Fa-f:.]{2,45}\]`,
  'uy',
);
/** Applied to the ≤140 characters before a `"@`. */
const QUOTED_LOCAL = /"(?:[^"\\\r\n]|\\.){1,64}"$/u;
const LOCAL_ASCII: readonly boolean[] = Array.from({ length: 128 }, (_, c) => /[A-Za-z0-9_%+\-.']/.test(String.fromCharCode(c)));
const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;

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
 * A payment card number: 13–19 digits, Luhn-valid, and starting with 2–6 — the first digit of
 * every major network (2 Mastercard/Mir, 3 Amex/Diners/JCB, 4 Visa, 5 Mastercard/Maestro,
 * 6 Discover/UnionPay/Maestro). The prefix check is a deliberate narrowing of "Luhn-valid": one
 * random number in ten passes Luhn, and it keeps 13-digit millisecond timestamps (`17…`),
 * ISBN-13s (`978…`) and most long ids out. Airline UATP cards (`1…`) are not covered.
 */
export function isCardNumber(digits: string): boolean {
  if (digits.length < 13 || digits.length > 19) return false;
  const first = digits.charCodeAt(0) - 48;
  return first >= 2 && first <= 6 && luhnValid(digits);
}

// A candidate is a run of digit groups of ≥3 digits joined by ONE space or dash
// (`4111 1111 1111 1111`, `3782-822463-10005`, `4111111111111111`). A separator is required
// between groups, so there is one way to split a candidate (linear). It must not continue a
// word, a decimal (`1.234…`, `1,234…`) or a longer number; a trailing 1–2 digit group
// (`… 1111 12/28`) simply ends the candidate. Inside a candidate, `redactCards` looks for
// windows of consecutive groups holding a card (so `Order 123 4111 1111 1111 1111` works).
const CARD_CANDIDATE = /(?<![\p{L}\p{N}_.,])\d{3,19}(?:[ \-]\d{3,19})*(?![\p{L}\p{N}_]|[.,]\d)/gu;

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
  if (candidate.length - (starts.length - 1) < 13) return undefined; // fewer than 13 digits: most candidates
  let out = '';
  let emitted = 0;
  let hits = 0;
  for (let i = 0; i < starts.length; ) {
    const first = candidate.charCodeAt(starts[i]!) - 48;
    let found = -1;
    if (first >= 2 && first <= 6) {
      // Longest window of whole groups starting at group i with 13–19 digits that passes Luhn.
      let digits = 0;
      for (let j = i; j < starts.length; j++) {
        digits += ends[j]! - starts[j]!;
        if (digits > 19) break;
        if (digits >= 13 && luhnRange(candidate, starts[i]!, ends[j]!)) found = j;
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

export const cardRedactor: Redactor = {
  name: 'card',
  redact(text: string, _ctx: RedactContext): RedactionResult {
    return replaceMatches(text, CARD_CANDIDATE, (match) => redactCards(match));
  },
};

// ---------------------------------------------------------------------------------------------
// phone
// ---------------------------------------------------------------------------------------------

const PHONE = redactionPlaceholder('phone');

// Where a national number may start: not inside a word/number/version/IP (`v10.0…`, `ORD-2024…`,
// `#123…`, `$1…`), and not right after "digit + space/comma/colon" — that keeps the tail groups
// of a longer number (`4000 0566 5566 5557`, a Luhn-invalid card) from being read as a phone.
const NATIONAL_START = String.raw`(?<![\p{L}\p{N}_+#$€£¥@.\/\-]|\p{N}[ ,:])`;
// Where any phone must end: not followed by a word character or by a separator and a digit
// (`415.555.2671.9` is not a phone). A space and a digit may follow: we stop there.
const PHONE_END = String.raw`(?![\p{L}\p{N}_@]|[.,:\/\-]\p{N})`;
// International tail after the country code: an optional bracketed part (`(415)`, `(0)`) and
// groups of 1–8 digits, each after exactly one space, dot or dash. Separator required between
// plain digit groups → one way to split.
const INTL_TAIL = String.raw`(?:[ .\-]?\(\d{1,4}\)[ .\-]?\d{1,8}|[ .\-]\d{1,8})(?:[ .\-]\d{1,8}){0,6}`;

const PHONE_REGEX = new RegExp(
  '(?:' +
    [
      // +44 20 7946 0958, +1 (415) 555-2671, +49-30-1234567, +44 (0)20 …; compact E.164
      // `+14155552671` only with 10–15 digits (a shorter `+12345678` is too often not a phone).
      String.raw`(?<![\p{L}\p{N}_+])\+(?:[1-9]\d{9,14}|[1-9]\d{0,3}${INTL_TAIL})`,
      // 0044 20 7946 0958 — the `00` international prefix; separators required.
      String.raw`${NATIONAL_START}00[1-9]\d{0,3}${INTL_TAIL}`,
      // North American: (415) 555-2671, 415.555.2671, 415-555-2671, 415 555 2671, 1-415-555-2671.
      // Area code and exchange start with 2–9, as NANP numbers do.
      String.raw`${NATIONAL_START}(?:1[ .\-]?)?(?:\([2-9]\d\d\) ?|[2-9]\d\d[ .\-])[2-9]\d\d[ .\-]\d{4}`,
      // National with trunk prefix 0 (UK, FR, DE, NL, …): 020 7946 0958, 06 12 34 56 78,
      // 030/1234567, (020) 7946 0958, 07700 900123. At least one separator (a bare `0…` run is
      // as likely an id); 9–12 digits in all, checked in `decidePhone`.
      String.raw`${NATIONAL_START}(?:\(0\d{1,4}\) ?|0\d{1,4}(?:[ .\-]|\/ ?))\d{2,8}(?:[ .\-]\d{2,8}){0,4}`,
    ].join('|') +
    ')' +
    PHONE_END,
  'gu',
);

// dd.mm.yyyy / dd-mm-yyyy / dd/mm/yyyy (same separator twice) or yyyy-mm-dd at the start.
const DATE_PREFIX = /^(?:\d{1,2}([.\/\-])\d{1,2}\1\d{4}|\d{4}([.\/\-])\d{1,2}\2\d{1,2})(?!\d)/;
const IPV4_LIKE = /^\d{1,3}(?:\.\d{1,3}){3}$/;

function decidePhone(match: string): { text: string; hits: number } | undefined {
  if (IPV4_LIKE.test(match)) return undefined;
  const intl = match.startsWith('+') || match.startsWith('00');
  if (!intl && match.startsWith('0') && DATE_PREFIX.test(match)) return undefined;
  // Digit groups with their end offsets; the `00` prefix and a `(0)` trunk do not count.
  const groups: { digits: number; end: number }[] = [];
  const re = /\(0\)|\d+/g;
  for (let m = re.exec(match); m; m = re.exec(match)) {
    if (m[0] === '(0)') continue;
    let digits = m[0].length;
    if (groups.length === 0 && match.startsWith('00')) digits -= 2;
    groups.push({ digits, end: m.index + m[0].length });
  }
  const [min, max] = intl ? [8, 15] : match.startsWith('0') || match.startsWith('(0') ? [9, 12] : [10, 11];
  let total = groups.reduce((sum, g) => sum + g.digits, 0);
  // Too long: the greedy match ran into a following number; drop trailing groups.
  let last = groups.length - 1;
  while (total > max && last > 1) {
    total -= groups[last]!.digits;
    last--;
  }
  if (total < min || total > max) return undefined;
  return { text: PHONE + match.slice(groups[last]!.end), hits: 1 };
}

export const phoneRedactor: Redactor = {
  name: 'phone',
  redact(text: string, _ctx: RedactContext): RedactionResult {
    return replaceMatches(text, PHONE_REGEX, (match) => decidePhone(match));
  },
};

// ---------------------------------------------------------------------------------------------

/** The built-in PII rules, in the order they must be applied (see the top of this file). */
export const piiRedactors: Redactor[] = [secretRedactor, emailRedactor, cardRedactor, phoneRedactor];
