import type { RedactionResult } from '../../core/redaction/types.js';

/**
 * Runs a global regex over the text; `decide` returns the replacement for a match, or
 * `undefined` to keep it (not a hit). An `exec` loop rather than `String.prototype.replace` with
 * a callback: `replace` first collects every match of a 100 KB string (thousands of number
 * candidates), which made the card and phone rules 3–4× slower per KB at 100 KB than at 10 KB;
 * the loop keeps each match short-lived and builds no new string when nothing is replaced.
 * The regexes are module-level: `lastIndex` is reset on entry, and `decide` must not reuse them.
 */
export function replaceMatches(
  text: string,
  regex: RegExp,
  decide: (match: string, named: Record<string, string | undefined>, index: number) => { text: string; hits: number } | undefined,
): RedactionResult {
  let out: string[] | undefined; // made at the first replacement: most texts have none
  let emitted = 0;
  let hits = 0;
  regex.lastIndex = 0;
  for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
    const match = m[0];
    if (match === '') {
      regex.lastIndex++; // cannot happen with these patterns; never loop forever
      continue;
    }
    const decision = decide(match, m.groups ?? {}, m.index);
    if (!decision) continue;
    (out ??= []).push(text.slice(emitted, m.index), decision.text);
    emitted = m.index + match.length;
    hits += decision.hits;
  }
  regex.lastIndex = 0;
  if (hits === 0 || !out) return { text, hits };
  out.push(text.slice(emitted));
  // One flat string. (Building any string over 128 KiB — 64 K characters of two-byte text —
  // costs V8 ~0.5–1 ms, a large-object allocation; so does flattening a rope of that size, so
  // this is the same cost `+=` would defer to the next rule. It is why the 100 KB bench row with
  // PII costs more per KB than the 10 KB one.)
  return { text: out.join(''), hits };
}

/**
 * As `replaceMatches`, but the full regex runs only inside CLUSTERS: spans of text that a cheap
 * ASCII regex (no look-behind, no `u` flag — V8 scans those at memory speed) finds and `worth`
 * accepts, with `context` characters on each side for the full regex's look-arounds. Every match
 * of the full regex must lie inside a cluster; most text then never meets the expensive regex
 * (Unicode look-behinds cost ~30 MB/s on text with a non-Latin-1 character).
 */
export function replaceInClusters(
  text: string,
  cluster: RegExp,
  worth: (cluster: string) => boolean,
  regex: RegExp,
  decide: (match: string, named: Record<string, string | undefined>, index: number) => { text: string; hits: number } | undefined,
  context = 2,
): RedactionResult {
  let out: string[] | undefined; // made at the first replacement: most texts have none
  let emitted = 0;
  let hits = 0;
  cluster.lastIndex = 0;
  for (let c = cluster.exec(text); c !== null; c = cluster.exec(text)) {
    if (!worth(c[0])) continue;
    const from = Math.max(emitted, c.index - context);
    const slice = text.slice(from, Math.min(text.length, c.index + c[0].length + context));
    regex.lastIndex = 0;
    for (let m = regex.exec(slice); m !== null; m = regex.exec(slice)) {
      if (m[0] === '') {
        regex.lastIndex++;
        continue;
      }
      const index = from + m.index;
      const decision = decide(m[0], m.groups ?? {}, index);
      if (!decision) continue;
      (out ??= []).push(text.slice(emitted, index), decision.text);
      emitted = index + m[0].length;
      hits += decision.hits;
    }
  }
  cluster.lastIndex = 0;
  regex.lastIndex = 0;
  if (hits === 0 || !out) return { text, hits };
  out.push(text.slice(emitted));
  return { text: out.join(''), hits };
}

/** ASCII digits in the text: the cluster gates' cheap test of whether a card or phone can hide in it. */
export function digitCount(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

const DIGIT_PAIR = /\d\d/;
let lastText = '';
let lastHoldsPair = false;

/**
 * Whether the text holds two adjacent ASCII digits: a card number (digit groups of three or more)
 * cannot hide in text without them, nor can any phone but a `+` one. The card and phone rules run
 * one after the other on the same string unless a rule between them redacted something, so the
 * answer for the last text is kept and prose is scanned once for both. (`===` on the same string
 * is a pointer compare; on another string of the same length it stops at the first difference.)
 */
export function holdsDigitPair(text: string): boolean {
  if (text !== lastText) {
    lastHoldsPair = DIGIT_PAIR.test(text);
    lastText = text;
  }
  return lastHoldsPair;
}
