import type { RedactionResult } from '../../plugins/core/index';

// Scores a redaction function on the corpus (see README.md for the format).
//
// A case is a text with its PII marked `{{type:value}}`. The text without the marks goes through
// the rules; the output is then matched against the literal parts between the marks:
// - a value is FOUND when what stands in its place holds at least one placeholder and no letter
//   or digit besides placeholders (split into two placeholders still hides it);
// - every placeholder not inside a found value of its own type is a false alarm of its rule;
// - a case without marks is a NEGATIVE; a rule that fires anywhere in it has a false-positive case.
// Values of a type that is switched off in a run are plain text there (they must be left alone).

export interface Case {
  file: string;
  kind: string;
  text: string;
}

export interface TypeScore {
  values: number;
  found: number;
  /** placeholders of this rule standing for a value of this type */
  truePlaceholders: number;
  allPlaceholders: number;
  negatives: number;
  negativesFired: number;
  misses: string[];
  falseAlarms: string[];
}

const MARK = /\{\{([a-z]+):(.*?)\}\}/g;
const PLACEHOLDER = /\[REDACTED:([a-z0-9-]+)\]/g;

export function parseCase(c: Case, enabled: ReadonlySet<string>): { plain: string; literals: string[]; values: { type: string; value: string }[] } {
  const literals: string[] = [];
  const values: { type: string; value: string }[] = [];
  let literal = '';
  let last = 0;
  for (const m of c.text.matchAll(MARK)) {
    literal += c.text.slice(last, m.index);
    last = m.index + m[0].length;
    const [, type, value] = m as unknown as [string, string, string];
    if (enabled.has(type)) {
      literals.push(literal);
      values.push({ type, value });
      literal = '';
    } else {
      literal += value;
    }
  }
  literals.push(literal + c.text.slice(last));
  const plain = literals.map((l, i) => l + (values[i]?.value ?? '')).join('');
  return { plain, literals, values };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function scoreCases(cases: Case[], types: readonly string[], redact: (text: string) => RedactionResult & { text: string }): Map<string, TypeScore> {
  const enabled = new Set(types);
  const scores = new Map<string, TypeScore>(
    types.map((t) => [t, { values: 0, found: 0, truePlaceholders: 0, allPlaceholders: 0, negatives: 0, negativesFired: 0, misses: [], falseAlarms: [] }]),
  );
  const score = (rule: string) => scores.get(rule) ?? scores.set(rule, { values: 0, found: 0, truePlaceholders: 0, allPlaceholders: 0, negatives: 0, negativesFired: 0, misses: [], falseAlarms: [] }).get(rule)!;

  for (const c of cases) {
    const { plain, literals, values } = parseCase(c, enabled);
    const output = redact(plain).text;
    const fired = new Set<string>();
    for (const m of output.matchAll(PLACEHOLDER)) {
      score(m[1]!).allPlaceholders++;
      fired.add(m[1]!);
    }
    if (values.length === 0) {
      for (const t of types) score(t).negatives++;
      for (const rule of fired) {
        score(rule).negativesFired++;
        score(rule).falseAlarms.push(`${c.file} ${c.kind}: ${output}`);
      }
      continue;
    }
    const shape = new RegExp('^' + literals.map(escape).join('(.*?)') + '$', 's');
    const groups = shape.exec(output)?.slice(1);
    values.forEach(({ type, value }, i) => {
      const s = score(type);
      s.values++;
      const inPlace = groups ? groups[i]! : output.includes(value) ? value : '[REDACTED:?]';
      const rules = [...inPlace.matchAll(PLACEHOLDER)].map((m) => m[1]!);
      const rest = inPlace.replace(PLACEHOLDER, '');
      if (rules.length > 0 && !/[\p{L}\p{N}]/u.test(rest)) {
        s.found++;
        s.truePlaceholders += rules.filter((r) => r === type).length;
      } else {
        s.misses.push(`${c.file} ${c.kind}: ${value} → ${inPlace}`);
      }
    });
    // A literal part that did not survive means a rule fired outside the values.
    if (!groups) for (const rule of fired) score(rule).falseAlarms.push(`${c.file} ${c.kind}: ${output}`);
  }
  return scores;
}
