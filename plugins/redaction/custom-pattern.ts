import type { RedactContext, RedactionResult, Redactor } from '../core/plugin';
import { redactionPlaceholder } from './pii-rules';

// Project-defined redaction rules: `{ name: 'customer-id', pattern: 'CUST-\\d{6}' }` replaces each
// match with `[REDACTED:customer-id]`.
//
// Span content is attacker-controlled, and a regex runs on the ingest path, so a pattern must not
// be able to backtrack catastrophically. JavaScript has no linear-time regex engine we can rely
// on, so a pattern goes through four layers before it is accepted:
//
// 1. Syntax: it must compile with the `u` flag (stricter parsing, no Annex-B oddities) and fit
//    our own parser; backreferences are refused.
// 2. Static shape (conservative — it refuses some safe patterns rather than accept an unsafe one):
//    - no quantified part that can match the empty string: `(a*)*`, `(.*)*`, `([a-z]*)*`;
//    - no quantifier repeated over a part that itself has a variable-length quantifier —
//      `(a+)+`, `(\w+\s?)+`, `(?:a{1,10}){1,10}` — unless every repetition must contain a
//      delimiter the inner part cannot match (`(?:-\d+)+`, `(?:[a-z]+\.)+` are fine: the `-` /
//      `.` fixes where each one ends);
//    - no repeated alternation whose branches can start with the same character: `(a|a)*`,
//      `(a|ab)+`, `(\w|\d)+`;
//    - no two variable-length parts in a row over overlapping characters without a mandatory
//      delimiter between them: `\d+\d+`, `\w+.\w+`, `.*x.*` (polynomial backtracking);
//    - no pattern that can match the empty string (it would insert a placeholder everywhere).
// 3. Unbounded repetition (`*`, `+`, `{n,}`) is bounded where it could go quadratic. A global
//    scan tries every start position; `\d+X` over a long digit run scans to the end of the run
//    from EVERY position in it (O(n²) — 100 KB of digits is seconds). That needs the quantifier
//    to be followed by something that can fail and to be enterable mid-run. So it is left
//    unbounded when it is last in the pattern (`EMP-\d+`: a match, once started, just succeeds)
//    or directly follows a character it cannot match (`EMP\d+\b`, `id=\w+;`: a run is only ever
//    entered at its start). Otherwise it is capped at 64: `*` → `{0,64}`, `+` → `{1,64}`,
//    `{n,}` → `{n,64}` (`{n,n+64}` from n = 64) — e.g. `[a-z]+@corp` becomes `[a-z]{1,64}@corp`
//    (a longer run is redacted from its last 64 characters, like the built-in e-mail rule).
// 4. A runtime probe: the compiled pattern is run over adversarial strings built from its own
//    characters — short ones growing in small steps (exponential blow-up: refused above 5 ms,
//    where a sane pattern takes microseconds; growth by 2 characters keeps the probe itself safe,
//    a run is at most ~4× one that stayed under the limit), then doubling up to 2 000 repetitions
//    (refused above 20 ms, i.e. ~10 µs per character at 2 000; accepted patterns measured well
//    under 5 ms). Each over-limit run is repeated once, so a GC pause does not refuse a pattern.
//    The probe runs when a pattern is saved; ingest compiles stored patterns without it
//    (`{ probe: false }`), since a timing check must not start refusing them under load.
//
// Patterns are at most 500 characters; rule names match `^[a-z0-9][a-z0-9-]{0,62}$`.

export const CUSTOM_PATTERN_MAX_LENGTH = 500;
export const CUSTOM_PATTERN_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Unbounded quantifiers that could go quadratic are capped at this many (see 3. above). */
export const REPETITION_CAP = 64;

export interface CustomPatternSpec {
  name: string;
  pattern: string;
}

export interface CustomPatternRedactor extends Redactor {
  /** The pattern as written. */
  readonly pattern: string;
  /** The pattern actually run (unbounded quantifiers capped), compiled with flags `gu`. */
  readonly effectivePattern: string;
}

export class CustomPatternError extends Error {
  override readonly name = 'CustomPatternError';
}

/** An error message for a bad rule name, or undefined. */
export function checkCustomPatternName(name: unknown): string | undefined {
  if (typeof name !== 'string' || !CUSTOM_PATTERN_NAME.test(name)) {
    return 'The rule name must be 1–63 characters of a-z, 0-9 and "-", not starting with "-".';
  }
  return undefined;
}

/** An error message for an invalid or unsafe pattern, or undefined when it may be used. */
export function checkCustomPattern(pattern: unknown): string | undefined {
  const vetted = vet(pattern);
  return 'error' in vetted ? vetted.error : undefined;
}

export interface CompileOptions {
  /**
   * Run the runtime probe (layer 4). Ingest turns it off for patterns read from the project's
   * settings: they passed it when saved, and a timing probe re-run on a busy server can refuse a
   * good pattern — which would reject every span of the project. Layers 1–3 still run.
   * @default true
   */
  probe?: boolean;
}

/** Builds the redactor; throws `CustomPatternError` for a bad name or pattern. */
export function compileCustomPattern(spec: CustomPatternSpec, options: CompileOptions = {}): CustomPatternRedactor {
  const nameError = checkCustomPatternName(spec.name);
  if (nameError) throw new CustomPatternError(nameError);
  const vetted = vet(spec.pattern, options.probe ?? true);
  if ('error' in vetted) throw new CustomPatternError(`Pattern for "${spec.name}": ${vetted.error}`);
  const { regex, effective } = vetted;
  const replacement = redactionPlaceholder(spec.name);
  return {
    name: spec.name,
    pattern: spec.pattern,
    effectivePattern: effective,
    redact(text: string, _ctx: RedactContext): RedactionResult {
      let hits = 0;
      const out = text.replace(regex, (match: string) => {
        if (match === '') return match; // cannot happen (empty-matching patterns are refused)
        hits++;
        return replacement;
      });
      return { text: hits === 0 ? text : out, hits };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Vetting
// ---------------------------------------------------------------------------------------------

function vet(pattern: unknown, probe = true): { error: string } | { regex: RegExp; effective: string } {
  if (typeof pattern !== 'string') return { error: 'The pattern must be a string.' };
  if (pattern.length === 0) return { error: 'The pattern is empty.' };
  if (pattern.length > CUSTOM_PATTERN_MAX_LENGTH) {
    return { error: `The pattern is longer than ${CUSTOM_PATTERN_MAX_LENGTH} characters.` };
  }
  try {
    new RegExp(pattern, 'u');
  } catch (e) {
    // V8's message already reads "Invalid regular expression: /(/u: Unterminated group".
    const message = (e as Error).message;
    return { error: message.startsWith('Invalid regular expression') ? message : `Invalid regular expression: ${message}` };
  }
  let ast: Node;
  try {
    ast = new Parser(pattern).parse();
  } catch (e) {
    return { error: e instanceof UnsupportedSyntax ? e.message : 'Unsupported regular expression syntax.' };
  }
  const staticError = staticCheck(ast, pattern);
  if (staticError) return { error: staticError };
  const effective = capRepetitions(pattern, repeatsToCap(ast));
  let regex: RegExp;
  try {
    regex = new RegExp(effective, 'gu');
  } catch {
    return { error: 'Unsupported regular expression syntax.' }; // our rewrite broke it: refuse
  }
  const slow = probe ? probeBacktracking(regex, representativeChars(ast)) : undefined;
  if (slow) return { error: slow };
  return { regex, effective };
}

// --- character sets: sorted, disjoint, inclusive code point ranges ---------------------------

type Ranges = readonly (readonly [number, number])[];
const MAX_CP = 0x10ffff;
const ANY: Ranges = [[0, MAX_CP]];
const NONE: Ranges = [];
const ASCII: Ranges = [[0, 0x7f]];
const NON_ASCII: Ranges = [[0x80, MAX_CP]];
const intersect = (a: Ranges, b: Ranges): Ranges => negate(union(negate(a), negate(b)));

/**
 * A Unicode property (`\p{L}`, `\P{Script=Greek}`) as a set that is exact over ASCII (asked of
 * the engine itself) and "anything" beyond it — we do not carry the Unicode tables. An
 * over-approximation keeps the overlap checks conservative.
 */
function unicodeProperty(negated: boolean, name: string): Ranges | undefined {
  let re: RegExp;
  try {
    re = new RegExp(`^\\p{${name}}$`, 'u');
  } catch {
    return undefined;
  }
  const ascii: [number, number][] = [];
  for (let c = 0; c < 0x80; c++) if (re.test(String.fromCharCode(c)) !== negated) ascii.push([c, c]);
  return union(normalize(ascii), NON_ASCII);
}

function normalize(ranges: (readonly [number, number])[]): Ranges {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}
const union = (a: Ranges, b: Ranges): Ranges => normalize([...a, ...b]);
function negate(a: Ranges): Ranges {
  const out: [number, number][] = [];
  let next = 0;
  for (const [lo, hi] of a) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CP) out.push([next, MAX_CP]);
  return out;
}
function intersects(a: Ranges, b: Ranges): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const [alo, ahi] = a[i]!;
    const [blo, bhi] = b[j]!;
    if (alo <= bhi && blo <= ahi) return true;
    if (ahi < bhi) i++;
    else j++;
  }
  return false;
}

const DIGIT: Ranges = [[48, 57]];
const WORD: Ranges = normalize([[48, 57], [65, 90], [95, 95], [97, 122]]);
const SPACE: Ranges = normalize([
  [9, 13], [32, 32], [0xa0, 0xa0], [0x1680, 0x1680], [0x2000, 0x200a], [0x2028, 0x2029],
  [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000], [0xfeff, 0xfeff],
]);
const DOT: Ranges = negate(normalize([[10, 10], [13, 13], [0x2028, 0x2029]]));

// --- parser (u-mode syntax; the pattern already compiled, so we only need its structure) ------

type Node =
  | { kind: 'set'; set: Ranges }
  | { kind: 'seq'; items: Node[] }
  | { kind: 'alt'; alts: Node[] }
  | { kind: 'group'; body: Node }
  | { kind: 'look'; body: Node }
  | { kind: 'assert' }
  | { kind: 'backref' }
  | RepeatNode;

interface RepeatNode {
  kind: 'repeat';
  body: Node;
  min: number;
  max: number; // Infinity when unbounded
  /** Source offsets of the quantifier itself (`+`, `{2,}`), without a lazy `?`. */
  qStart: number;
  qEnd: number;
  /** Source offsets of the whole quantified term, for messages. */
  start: number;
}

class UnsupportedSyntax extends Error {}

class Parser {
  private pos = 0;
  /** Set when a `\p{…}` was read: its set is only exact over ASCII. */
  private sawProperty = false;
  constructor(private readonly src: string) {}

  parse(): Node {
    const ast = this.alternation();
    if (this.pos !== this.src.length) throw new UnsupportedSyntax('Unsupported regular expression syntax.');
    return ast;
  }

  private peek(offset = 0): string | undefined {
    return this.src[this.pos + offset];
  }

  private alternation(): Node {
    const alts = [this.sequence()];
    while (this.peek() === '|') {
      this.pos++;
      alts.push(this.sequence());
    }
    return alts.length === 1 ? alts[0]! : { kind: 'alt', alts };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.pos < this.src.length && this.peek() !== '|' && this.peek() !== ')') items.push(this.term());
    return { kind: 'seq', items };
  }

  private term(): Node {
    const start = this.pos;
    const c = this.peek()!;
    let atom: Node;
    if (c === '^' || c === '$') {
      this.pos++;
      return { kind: 'assert' };
    }
    if (c === '\\' && (this.peek(1) === 'b' || this.peek(1) === 'B')) {
      this.pos += 2;
      return { kind: 'assert' };
    }
    if (c === '(') {
      this.pos++;
      let look = false;
      if (this.peek() === '?') {
        const n = this.peek(1);
        if (n === ':') this.pos += 2;
        else if (n === '=' || n === '!') {
          this.pos += 2;
          look = true;
        } else if (n === '<' && (this.peek(2) === '=' || this.peek(2) === '!')) {
          this.pos += 3;
          look = true;
        } else if (n === '<') {
          const close = this.src.indexOf('>', this.pos);
          if (close === -1) throw new UnsupportedSyntax('Unsupported group syntax.');
          this.pos = close + 1;
        } else throw new UnsupportedSyntax('Unsupported group syntax (inline flags are not supported).');
      }
      const body = this.alternation();
      if (this.peek() !== ')') throw new UnsupportedSyntax('Unbalanced parenthesis.');
      this.pos++;
      // In u-mode a look-around cannot be quantified.
      if (look) return { kind: 'look', body };
      atom = { kind: 'group', body };
    } else if (c === '[') {
      atom = { kind: 'set', set: this.charClass() };
    } else if (c === '.') {
      this.pos++;
      atom = { kind: 'set', set: DOT };
    } else if (c === '\\') {
      atom = this.escape();
    } else {
      const cp = this.src.codePointAt(this.pos)!;
      this.pos += cp > 0xffff ? 2 : 1;
      atom = { kind: 'set', set: [[cp, cp]] };
    }
    return this.quantifier(atom, start);
  }

  private quantifier(atom: Node, start: number): Node {
    const qStart = this.pos;
    const c = this.peek();
    let min: number;
    let max: number;
    if (c === '*' || c === '+' || c === '?') {
      this.pos++;
      [min, max] = c === '*' ? [0, Infinity] : c === '+' ? [1, Infinity] : [0, 1];
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos));
      if (!m) throw new UnsupportedSyntax('Unsupported quantifier.');
      this.pos += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    } else {
      return atom;
    }
    const qEnd = this.pos;
    if (this.peek() === '?') this.pos++; // lazy: same analysis
    return { kind: 'repeat', body: atom, min, max, qStart, qEnd, start };
  }

  /** An escape outside a class. */
  private escape(): Node {
    const n = this.peek(1);
    if (n !== undefined && /[1-9]/.test(n)) throw new UnsupportedSyntax('Backreferences are not allowed.');
    if (n === 'k') throw new UnsupportedSyntax('Backreferences are not allowed.');
    const set = this.escapeSet();
    if (set === undefined) throw new UnsupportedSyntax('Unsupported escape.');
    return { kind: 'set', set };
  }

  /** Reads `\…` at pos (in or out of a class) and returns its set. */
  private escapeSet(inClass = false): Ranges | undefined {
    this.pos++; // backslash
    const c = this.peek();
    if (c === undefined) return undefined;
    this.pos++;
    switch (c) {
      case 'd':
        return DIGIT;
      case 'D':
        return negate(DIGIT);
      case 'w':
        return WORD;
      case 'W':
        return negate(WORD);
      case 's':
        return SPACE;
      case 'S':
        return negate(SPACE);
      case 'p':
      case 'P': {
        const close = this.src.indexOf('}', this.pos);
        if (this.peek() !== '{' || close === -1) return undefined;
        const name = this.src.slice(this.pos + 1, close);
        this.pos = close + 1;
        this.sawProperty = true;
        return unicodeProperty(c === 'P', name);
      }
      case 't':
        return [[9, 9]];
      case 'n':
        return [[10, 10]];
      case 'v':
        return [[11, 11]];
      case 'f':
        return [[12, 12]];
      case 'r':
        return [[13, 13]];
      case '0':
        return [[0, 0]];
      case 'b':
        return inClass ? [[8, 8]] : undefined;
      case 'c': {
        const letter = this.src.charCodeAt(this.pos);
        this.pos++;
        return [[letter % 32, letter % 32]];
      }
      case 'x': {
        const cp = parseInt(this.src.slice(this.pos, this.pos + 2), 16);
        this.pos += 2;
        return Number.isNaN(cp) ? undefined : [[cp, cp]];
      }
      case 'u': {
        let cp: number;
        if (this.peek() === '{') {
          const close = this.src.indexOf('}', this.pos);
          cp = parseInt(this.src.slice(this.pos + 1, close), 16);
          this.pos = close + 1;
        } else {
          cp = parseInt(this.src.slice(this.pos, this.pos + 4), 16);
          this.pos += 4;
        }
        return Number.isNaN(cp) ? undefined : [[cp, cp]];
      }
      default: {
        // Identity escape of a syntax character (`\.`, `\-`, `\/`, …).
        const cp = c.codePointAt(0)!;
        return [[cp, cp]];
      }
    }
  }

  private charClass(): Ranges {
    this.pos++; // [
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.pos++;
    }
    let set: Ranges = NONE;
    this.sawProperty = false;
    const single = (): { set: Ranges; cp?: number } => {
      if (this.peek() === '\\') {
        const s = this.escapeSet(true);
        if (s === undefined) throw new UnsupportedSyntax('Unsupported escape in a character class.');
        const only = s.length === 1 && s[0]![0] === s[0]![1] ? s[0]![0] : undefined;
        return only === undefined ? { set: s } : { set: s, cp: only };
      }
      const cp = this.src.codePointAt(this.pos)!;
      this.pos += cp > 0xffff ? 2 : 1;
      return { set: [[cp, cp]], cp };
    };
    while (this.peek() !== ']') {
      if (this.pos >= this.src.length) throw new UnsupportedSyntax('Unterminated character class.');
      const a = single();
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== undefined) {
        this.pos++;
        const b = single();
        if (a.cp === undefined || b.cp === undefined) throw new UnsupportedSyntax('Unsupported class range.');
        set = union(set, [[a.cp, b.cp]]);
      } else {
        set = union(set, a.set);
      }
    }
    this.pos++; // ]
    if (!negated) return set;
    // With a property inside, only the ASCII part is exact: negate that, keep "anything" beyond.
    return this.sawProperty ? union(intersect(negate(set), ASCII), NON_ASCII) : negate(set);
  }
}

// --- analysis ---------------------------------------------------------------------------------

function nullable(n: Node): boolean {
  switch (n.kind) {
    case 'set':
      return false;
    case 'seq':
      return n.items.every(nullable);
    case 'alt':
      return n.alts.some(nullable);
    case 'group':
      return nullable(n.body);
    case 'repeat':
      return n.min === 0 || nullable(n.body);
    default:
      return true; // look, assert, backref
  }
}

/** Whether every match of n has the same length. */
function fixedLength(n: Node): boolean {
  switch (n.kind) {
    case 'set':
    case 'look':
    case 'assert':
      return true;
    case 'seq':
      return n.items.every(fixedLength);
    case 'alt':
      return n.alts.every(fixedLength) && new Set(n.alts.map(length)).size === 1;
    case 'group':
      return fixedLength(n.body);
    case 'repeat':
      return n.min === n.max && fixedLength(n.body);
    case 'backref':
      return false;
  }
}
function length(n: Node): number {
  switch (n.kind) {
    case 'set':
      return 1;
    case 'seq':
      return n.items.reduce((s, i) => s + length(i), 0);
    case 'alt':
      return length(n.alts[0]!);
    case 'group':
      return length(n.body);
    case 'repeat':
      return n.min * length(n.body);
    default:
      return 0;
  }
}

/** Every character n can consume. */
function chars(n: Node): Ranges {
  switch (n.kind) {
    case 'set':
      return n.set;
    case 'seq':
      return n.items.reduce((s, i) => union(s, chars(i)), NONE);
    case 'alt':
      return n.alts.reduce((s, a) => union(s, chars(a)), NONE);
    case 'group':
    case 'repeat':
      return chars(n.body);
    case 'backref':
      return ANY;
    default:
      return NONE;
  }
}

/** Characters a non-empty match of n can start with. */
function first(n: Node): Ranges {
  switch (n.kind) {
    case 'set':
      return n.set;
    case 'seq': {
      let s = NONE;
      for (const item of n.items) {
        s = union(s, first(item));
        if (!nullable(item)) break;
      }
      return s;
    }
    case 'alt':
      return n.alts.reduce((s, a) => union(s, first(a)), NONE);
    case 'group':
      return first(n.body);
    case 'repeat':
      return n.max === 0 ? NONE : first(n.body);
    case 'backref':
      return ANY;
    default:
      return NONE;
  }
}

function children(n: Node): Node[] {
  switch (n.kind) {
    case 'seq':
      return n.items;
    case 'alt':
      return n.alts;
    case 'group':
    case 'look':
    case 'repeat':
      return [n.body];
    default:
      return [];
  }
}
function* walk(n: Node): Generator<Node> {
  yield n;
  for (const c of children(n)) yield* walk(c);
}

/** The top-level items of a group body, looking through plain groups. */
function topItems(n: Node): Node[] {
  if (n.kind === 'group') return topItems(n.body);
  if (n.kind === 'seq') return n.items.flatMap((i) => (i.kind === 'group' && i.body.kind === 'seq' ? topItems(i) : [i]));
  return [n];
}

/**
 * Whether n is a repetition whose every repetition begins (or ends) with a mandatory single
 * character that `other` cannot match.
 */
function delimiterAt(n: Node, side: 'start' | 'end', other: Ranges): boolean {
  while (n.kind === 'group') n = n.body;
  if (n.kind !== 'repeat') return false;
  const items = topItems(n.body);
  const edge = side === 'start' ? items[0] : items[items.length - 1];
  return edge !== undefined && edge.kind === 'set' && !intersects(edge.set, other);
}

function staticCheck(ast: Node, src: string): string | undefined {
  const show = (r: RepeatNode) => `\`${src.slice(r.start, r.qEnd)}\``;
  if (nullable(ast)) return 'The pattern can match an empty string (it would redact between every character).';
  for (const n of walk(ast)) {
    if (n.kind === 'repeat' && n.max > 1) {
      if (nullable(n.body)) {
        return `Catastrophic backtracking risk: the repeated part ${show(n)} can match the empty string.`;
      }
      const nested = [...walk(n.body)].some((d) => d.kind === 'repeat' && !fixedLength(d));
      if (nested) {
        // Allowed only with a delimiter: a mandatory single character, at the top level of the
        // repeated part, that none of its variable-length parts can match.
        const items = topItems(n.body);
        const variable = items.filter((i) => !fixedLength(i)).reduce((s, i) => union(s, chars(i)), NONE);
        const delimited = items.some((i) => i.kind === 'set' && !intersects(i.set, variable));
        if (!delimited) return `Catastrophic backtracking risk: nested quantifier in ${show(n)}.`;
      }
      for (const d of walk(n.body)) {
        if (d.kind !== 'alt') continue;
        for (let i = 0; i < d.alts.length; i++) {
          for (let j = i + 1; j < d.alts.length; j++) {
            if (intersects(first(d.alts[i]!), first(d.alts[j]!))) {
              return `Catastrophic backtracking risk: alternatives that can start alike are repeated in ${show(n)}.`;
            }
          }
        }
      }
    }
    if (n.kind === 'seq') {
      const items = n.items;
      for (let i = 0; i < items.length; i++) {
        const a = items[i]!;
        if (fixedLength(a)) continue;
        const aChars = chars(a);
        for (let j = i + 1; j < items.length; j++) {
          const k = items[j]!;
          // A mandatory item that a cannot start to consume ends a's reach.
          if (!nullable(k) && !intersects(first(k), aChars)) break;
          if (!fixedLength(k) && intersects(aChars, chars(k))) {
            // Side by side but split uniquely by a delimiter: `(?:[a-z]+\.)+[a-z]+` (every
            // repetition of the first ends with a `.` the second cannot match), or
            // `[a-z]+(?:\.[a-z]+)+` (the second starts with one the first cannot match).
            if (j === i + 1 && (delimiterAt(a, 'end', chars(k)) || delimiterAt(k, 'start', aChars))) continue;
            return 'Backtracking risk: two variable-length parts in a row can match the same characters; put a delimiter between them or bound them.';
          }
        }
      }
    }
  }
  return undefined;
}

/**
 * Unbounded repetitions that need a cap: not last in the pattern, and not directly after a
 * mandatory character they cannot match (see 3. at the top).
 */
function repeatsToCap(ast: Node): RepeatNode[] {
  const out: RepeatNode[] = [];
  // `tail`: nothing follows n up to the end of the pattern.
  const visit = (n: Node, tail: boolean, before: Node | undefined): void => {
    if (n.kind === 'repeat' && n.max === Infinity) {
      const anchored = before !== undefined && before.kind === 'set' && !intersects(before.set, chars(n.body));
      if (!tail && !anchored) out.push(n);
    }
    switch (n.kind) {
      case 'seq':
        n.items.forEach((item, i) => visit(item, tail && i === n.items.length - 1, i > 0 ? n.items[i - 1] : before));
        return;
      case 'alt':
        for (const a of n.alts) visit(a, tail, before);
        return;
      case 'group':
        visit(n.body, tail, before);
        return;
      case 'repeat':
      case 'look':
        // Another iteration (or the rest of the pattern after a look-around) may follow.
        visit(n.body, false, undefined);
        return;
      default:
        return;
    }
  };
  visit(ast, true, undefined);
  return out;
}

/** Rewrites the given unbounded quantifiers to bounded ones. */
function capRepetitions(src: string, repeats: RepeatNode[]): string {
  let out = '';
  let at = 0;
  for (const r of [...repeats].sort((a, b) => a.qStart - b.qStart)) {
    const max = r.min < REPETITION_CAP ? REPETITION_CAP : r.min + REPETITION_CAP;
    out += src.slice(at, r.qStart) + `{${r.min},${max}}`;
    at = r.qEnd;
  }
  return out + src.slice(at);
}

// --- runtime probe ----------------------------------------------------------------------------

/** A few characters from each set the pattern uses, plus common ones. */
function representativeChars(ast: Node): string[] {
  const picks = new Set<string>();
  const common = ['a', 'A', '0', ' ', '-', '.', '_', '@', '\n'];
  for (const n of walk(ast)) {
    if (n.kind !== 'set') continue;
    const [lo, hi] = n.set[0] ?? [0, -1];
    if (hi < lo) continue;
    picks.add(String.fromCodePoint(lo === 0 && hi > 32 ? 32 : lo));
    for (const c of common) if (intersects(n.set, [[c.codePointAt(0)!, c.codePointAt(0)!]])) picks.add(c);
    if (picks.size > 24) break;
  }
  return [...picks].slice(0, 24);
}

export interface ProbeLimits {
  /** A run over a short pumped string (10–30 repetitions) may take at most this long (ms). */
  shortRunMs: number;
  /** A run over 2 000 repetitions may take at most this long (ms). */
  longRunMs: number;
  /** The whole probe gives up (and refuses) after this long (ms). */
  totalMs: number;
}

const DEFAULT_LIMITS: ProbeLimits = { shortRunMs: 5, longRunMs: 20, totalMs: 1000 };
/**
 * Short lengths grow by 2 (an exponential pattern at most ×4 per step), long ones double (a
 * cubic one at most ×8 per step), so no single run is far over its limit.
 */
const PUMP_COUNTS = [10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 60, 125, 250, 500, 1000, 2000];

/**
 * Runs `regex` (made global) over pumped strings: each representative character, and pairs of
 * the first five, repeated 10, 12, … 30 times and then 60, 125, … 2 000 times, each followed by a
 * character unlikely to match (one two-byte, one one-byte: V8 runs different code for each). Returns an
 * error message when a run is over its limit twice in a row.
 * @internal exported for tests
 */
export function probeBacktracking(regex: RegExp, reps: string[], limits: ProbeLimits = DEFAULT_LIMITS): string | undefined {
  const pumps = [...reps];
  for (let i = 0; i < Math.min(reps.length, 5); i++) {
    for (let j = 0; j < Math.min(reps.length, 5); j++) if (i !== j) pumps.push(reps[i]! + reps[j]!);
  }
  const started = performance.now();
  const global = new RegExp(regex.source, regex.flags.includes('g') ? regex.flags : regex.flags + 'g');
  global.test('warm-up'); // V8 interprets a regex's first run; time the compiled code
  for (const tail of ['\u2603', '!']) {
    for (const pump of pumps) {
      for (const count of PUMP_COUNTS) {
        const input = pump.repeat(count) + tail;
        const limit = count < 100 ? limits.shortRunMs : limits.longRunMs;
        let ms = timeRun(global, input);
        if (ms > limit) ms = Math.min(ms, timeRun(global, input));
        if (ms > limit) {
          return count < 100
            ? `Catastrophic backtracking risk: the pattern took ${ms.toFixed(1)} ms on ${input.length} characters of adversarial input.`
            : `The pattern is too slow on adversarial input (${ms.toFixed(1)} ms for ${input.length} characters); bound its repetitions (e.g. {1,64}) or make it more specific.`;
        }
        if (performance.now() - started > limits.totalMs) return 'The pattern is too slow to vet.';
      }
    }
  }
  return undefined;
}

function timeRun(regex: RegExp, input: string): number {
  const t0 = performance.now();
  input.replace(regex, '');
  return performance.now() - t0;
}
