import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Case } from './score';

// Reads eval/pii/corpus/*.jsonl (README.md describes the format).

// `<base62:N>`, `<upper32:N>`, `<base64:N>`, `<digits:N>`: seeded random characters, so the corpus
// files hold no string a secret scanner would take for a live key.
const ALPHABETS: Record<string, string> = {
  base62: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  upper32: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567',
  base64: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
  digits: '0123456789',
};
let seed = 0x5eed;
const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const expand = (text: string) =>
  text.replace(/<(base62|upper32|base64|digits):(\d+)>/g, (_m, kind: string, n: string) =>
    Array.from({ length: Number(n) }, () => ALPHABETS[kind]![Math.floor(random() * ALPHABETS[kind]!.length)]).join(''),
  );

export function loadCorpusFiles(dir = join(import.meta.dirname, 'corpus')): Case[] {
  const cases: Case[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort()) {
    readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (line.trim() === '' || line.startsWith('//')) return;
        try {
          const { kind, text } = JSON.parse(line) as { kind: string; text: string };
          cases.push({ file, kind, text: expand(text) });
        } catch (err) {
          throw new Error(`${file}:${i + 1}: ${(err as Error).message}`);
        }
      });
  }
  return cases;
}

