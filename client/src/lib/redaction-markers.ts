// Redaction leaves `[REDACTED:rule]` placeholders in stored content. The dashboard highlights
// them, so a reader sees at once what was removed and by which rule.

export type TextPart = { kind: 'text'; text: string } | { kind: 'redacted'; text: string; rule: string };

const MARKER = /\[REDACTED:([A-Za-z0-9_.:-]+)\]/g;

export function splitRedactionMarkers(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(MARKER)) {
    const start = match.index;
    if (start > last) parts.push({ kind: 'text', text: text.slice(last, start) });
    parts.push({ kind: 'redacted', text: match[0], rule: match[1] ?? '' });
    last = start + match[0].length;
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) });
  return parts;
}

export function hasRedactionMarker(text: string): boolean {
  return /\[REDACTED:[A-Za-z0-9_.:-]+\]/.test(text);
}
