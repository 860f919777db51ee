import { redactionPlaceholder } from '../../core/redaction/placeholder.js';
import type { RedactContext, RedactionResult, Redactor } from '../../core/redaction/types.js';
import { digitCount, holdsDigitPair, replaceInClusters } from './replace-matches.js';

// Phone numbers, without per-country metadata: the shapes numbers are written in (international
// with `+` or `00`, national with a trunk prefix `0`/`8`, North American, bare digit runs of
// mobile-number shape) and digit counts per shape. eval/pii measures it against libphonenumber-js
// (docs/security.md has the figures and why the rule stays hand-written).

const PHONE = redactionPlaceholder('phone');

// Where a national number may start: not inside a word/number/version/IP (`v10.0…`, `ORD-2024…`,
// `#123…`, `$1…`), and not right after "digit + space/comma/colon" — that keeps the tail groups
// of a longer number (`4000 0566 5566 5557`, a Luhn-invalid card) from being read as a phone.
const NATIONAL_START = String.raw`(?<![\p{L}\p{N}_+#$€£¥@.\/\-=]|\p{N}[ ,:])`;
// Where any phone must end: not followed by a word character or by a separator and a digit
// (`415.555.2671.9` is not a phone). A space and a digit may follow: we stop there.
const PHONE_END = String.raw`(?![\p{L}\p{N}_@]|[.,:\/\-]\p{N})`;
// International tail after the country code: an optional bracketed part (`(415)`, `(0)`) and
// groups of digits, each after exactly one space, dot or dash (a separator is required between
// plain digit groups → one way to split). A group may be the whole rest (`+44 2079460958`).
const INTL_TAIL = String.raw`(?:[ .\-]?\(\d{1,4}\)[ .\-]?\d{1,14}|[ .\-]\d{1,14})(?:[ .\-]\d{1,14}){0,6}`;

const PHONE_REGEX = new RegExp(
  '(?:' +
    [
      // +44 20 7946 0958, +1 (415) 555-2671, +49-30-1234567, +44 (0)20 …; compact E.164
      // `+14155552671` only with 10–15 digits (a shorter `+12345678` is too often not a phone).
      String.raw`(?<![\p{L}\p{N}_+])\+(?:[1-9]\d{9,14}|[1-9]\d{0,3}${INTL_TAIL})`,
      // 0044 20 7946 0958 — the `00` international prefix; separators required.
      String.raw`${NATIONAL_START}00[1-9]\d{0,3}${INTL_TAIL}`,
      // North American: (415) 555-2671, 415.555.2671, 415-555-2671, 415 555 2671, 212/555-0100,
      // 1-415-555-2671. Area code and exchange start with 2–9, as NANP numbers do.
      String.raw`${NATIONAL_START}(?:1[ .\-]?)?(?:\([2-9]\d\d\) ?|[2-9]\d\d[ .\-\/])[2-9]\d\d[ .\-]\d{4}`,
      // National with trunk prefix 0 (UK, FR, DE, NL, JP, …): 020 7946 0958, 06 12 34 56 78,
      // 030/1234567, 089 / 12345678, (020) 7946 0958, (0)20 7946 0958, 098765 43210. At least
      // one separator here (bare runs are the last branch); 9–12 digits, checked in `decide`.
      String.raw`${NATIONAL_START}(?:\(0(?:[1-9]\d{0,3})?\) ?|0[1-9]\d{0,4}(?: ?\/ ?|[ .\-]))\d{2,8}(?:[ .\-]\d{2,8}){0,4}`,
      // Two-digit area code in brackets (Brazil): (11) 98765-4321, (21) 2345-6789.
      String.raw`${NATIONAL_START}\([1-9]\d\) ?\d{4,5}[ \-]\d{4}`,
      // Trunk prefix 8 (Russia, Kazakhstan): 8 (495) 123-45-67, 8 912 345-67-89.
      String.raw`${NATIONAL_START}8[ \-]?(?:\(\d{3,5}\) ?|\d{3}[ \-])\d{3}[ \-]?\d{2}[ \-]?\d{2}`,
      // Chinese mobile in groups: 138 1234 5678.
      String.raw`${NATIONAL_START}1[3-9]\d[ \-]\d{4}[ \-]\d{4}`,
      // A bare run of 10–11 digits: only mobile/national shapes, and not after an id word
      // (`decideBare`).
      String.raw`${NATIONAL_START}(?<bare>\d{10,11})`,
    ].join('|') +
    ')' +
    PHONE_END,
  'gu',
);

// dd.mm.yyyy / dd-mm-yyyy / dd/mm/yyyy (same separator twice) or yyyy-mm-dd at the start.
const DATE_PREFIX = /^(?:\d{1,2}([.\/\-])\d{1,2}\1\d{4}|\d{4}([.\/\-])\d{1,2}\2\d{1,2})(?!\d)/;
const IPV4_LIKE = /^\d{1,3}(?:\.\d{1,3}){3}$/;

// Bare runs: North American `4155552671` / `14155552671`, a national number with trunk prefix
// `0612345678` / `07700900123`, Chinese mobile `13812345678`, Russian `89123456789`.
const BARE_SHAPES = /^(?:1?[2-9]\d\d[2-9]\d{6}|0[1-9]\d{8,9}|1[3-9]\d{9}|8[3-9]\d{9})$/;
// A bare run right after one of these words (within a few characters) is an identifier, unless a
// phone word is near too. Multilingual where order/invoice words are common in support chats.
const ID_WORDS =
  /(?:\b(?:order|orders|invoice|inv|tracking|parcel|package|shipment|ref|reference|ticket|account|acct|customer|client|user|transaction|txn|booking|confirmation|isbn|ean|imei|serial|sku|po|case|batch|run|hash|build|id|nr|no|commande|facture|pedido|factura|ordine|fattura)\b|bestell|rechnung|n°|nº|#|=|[<>]=?)(?:[^\p{L}\p{N}]{0,3}(?:number|num|no|nr|id)\b)?[^\p{L}\p{N}]{0,12}$/iu;
// Integer limits that code and logs print (2^31 - 1, 2^32 - 1, …) have a valid NANP shape.
const WELL_KNOWN_NUMBERS = new Set(['2147483647', '2147483648', '4294967295', '4294967296']);
// `078-05-1120` is a US social security number's shape, not a national phone number.
const SSN_SHAPE = /^\d{3}-\d{2}-\d{4}$/;
const PHONE_WORDS = /\b(?:phone|tel|telephone|mobile|cell|call|fax|whatsapp|sms|ring|dial|contact|reach)\b/i;

function decideBare(match: string, index: number, text: string): { text: string; hits: number } | undefined {
  if (!BARE_SHAPES.test(match) || WELL_KNOWN_NUMBERS.has(match)) return undefined;
  const before = text.slice(Math.max(0, index - 40), index);
  if (ID_WORDS.test(before.slice(-30)) && !PHONE_WORDS.test(before)) return undefined;
  return { text: PHONE, hits: 1 };
}

function decide(match: string): { text: string; hits: number } | undefined {
  if (IPV4_LIKE.test(match) || SSN_SHAPE.test(match)) return undefined;
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
  const trunk = match.startsWith('0') || match.startsWith('(0') || match.startsWith('8');
  const [min, max] = intl ? [8, 15] : trunk ? [9, 12] : [10, 11];
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

// A phone lies inside a CLUSTER: digits joined by at most three of ` .-/()` (and a leading `+`
// or `(`). The cluster regex is plain ASCII (no look-behind, no `u` flag), so V8 scans prose at
// memory speed; the full PHONE_REGEX then runs only over clusters holding 8 or more digits (no
// phone has fewer), with two characters of context on each side for its look-arounds. Most
// numbers in text — versions, times, prices, counts — never reach it.
const CLUSTER = /[+(]{0,2}\d(?:[ .\-\/()]{0,3}\d)*\)?/g;
// A cluster worth the full regex holds 8 digits joined by at most three separators each: text
// without such a run (most prose) is done after one scan. It starts with a digit, which V8 looks
// for at memory speed; CLUSTER's optional leading `+(` makes V8 try it at every position.
const GATE = /\d(?:[ .\-\/()]{0,3}\d){7}/;
// Before it, a cheaper test still: every PHONE_REGEX branch but the `+` one holds two digits in
// a row (`00`, an area code, a trunk prefix and the digit after it, a group of two or more, a bare
// run), so text with neither a `+` nor two adjacent digits holds no phone. V8 finds a `+` at
// memory speed and skips through text two characters at a time looking for `\d\d`: about twice
// GATE's speed on prose without digits (the chat text of the ingest bench), and when the card
// rule ran just before on the same text, its answer is reused (holdsDigitPair) — asked first, so
// text with digits is not also searched for a `+`.

/** The rule without its gates: phone-gate.test.ts checks the gated rule gives the same results. */
export function redactPhones(text: string): RedactionResult {
  return replaceInClusters(text, CLUSTER, (c) => c.length >= 8 && digitCount(c) >= 8, PHONE_REGEX, (match, named, index) =>
    named.bare === undefined ? decide(match) : decideBare(match, index, text),
  );
}

export const phoneRedactor: Redactor = {
  name: 'phone',
  redact(text: string, _ctx: RedactContext): RedactionResult {
    if (!(holdsDigitPair(text) || text.includes('+')) || !GATE.test(text)) return { text, hits: 0 };
    return redactPhones(text);
  },
};
