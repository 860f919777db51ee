import { describe, expect, it } from 'vitest';
import { checkCustomPattern, compileCustomPattern, CustomPatternError, customPatternEngine, MAX_PROGRAM_SIZE } from './custom-pattern';

const ctx = { projectId: 'p', spanId: 's', field: 'input' as const, piiRedaction: false };

describe('custom patterns on RE2', () => {
  it('replaces every match with the rule placeholder and counts them', () => {
    const rule = compileCustomPattern({ name: 'customer-id', pattern: String.raw`CUST-\d{6}` });
    expect(rule.redact('CUST-123456 and CUST-654321, not CUST-12', ctx)).toEqual({
      text: '[REDACTED:customer-id] and [REDACTED:customer-id], not CUST-12',
      hits: 2,
    });
    expect(rule.redact('nothing here', ctx)).toEqual({ text: 'nothing here', hits: 0 });
  });

  it('supports RE2 syntax: (?i), Unicode classes, positions are UTF-16 like the text', () => {
    const rule = compileCustomPattern({ name: 'code-name', pattern: String.raw`(?i)bluebird|\p{Greek}+` });
    expect(rule.redact('😀 BlueBird met αβγ', ctx).text).toBe('😀 [REDACTED:code-name] met [REDACTED:code-name]');
  });

  it('refuses what RE2 cannot compile, with RE2’s reason and the supported syntax named', () => {
    expect(checkCustomPattern(String.raw`(a)\1`)).toMatch(/RE2 cannot compile it: invalid escape sequence.*no backreferences/);
    expect(checkCustomPattern('a(?=b)')).toMatch(/RE2 cannot compile it/);
    expect(checkCustomPattern(String.raw`\d{1,50000}X`)).toMatch(/invalid repeat count/);
    expect(checkCustomPattern('(')).toMatch(/missing closing \)/);
  });

  it('refuses empty, too long, too large and empty-matching patterns', () => {
    expect(checkCustomPattern('')).toMatch(/empty/);
    expect(checkCustomPattern('a'.repeat(501))).toMatch(/longer than 500/);
    expect(checkCustomPattern(String.raw`\d{1,1000}\d{1,1000}X`)).toMatch(new RegExp(`at most ${MAX_PROGRAM_SIZE}`));
    expect(checkCustomPattern('x*')).toMatch(/matches the empty string/);
    expect(checkCustomPattern(String.raw`CUST-\d+`)).toBeUndefined();
  });

  it('accepts the patterns the old analyser had to refuse: RE2 cannot backtrack', () => {
    for (const pattern of [String.raw`(a+)+$`, String.raw`(\w+\s?)+X`, String.raw`\d+\d+X`, '(a|a)*b', String.raw`\d{1,1000}X`]) {
      expect(checkCustomPattern(pattern)).toBeUndefined();
      const rule = compileCustomPattern({ name: 'x', pattern });
      const started = performance.now();
      rule.redact('a'.repeat(5_000) + '1'.repeat(5_000) + '!', ctx);
      expect(performance.now() - started).toBeLessThan(2_000); // irregexp: minutes or more for the first
    }
  });

  it('throws CustomPatternError for a bad name or pattern, and the engine says what it is', () => {
    expect(() => compileCustomPattern({ name: 'Bad Name', pattern: 'x' })).toThrow(CustomPatternError);
    expect(() => compileCustomPattern({ name: 'ok', pattern: '(' })).toThrow(/Pattern for "ok"/);
    expect(customPatternEngine.syntax).toBe('RE2');
    expect(customPatternEngine.workerModule).toMatch(/^file:.*custom-pattern\.ts$/);
  });
});
