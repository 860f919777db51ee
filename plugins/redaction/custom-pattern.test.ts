import { describe, expect, it } from 'vitest';
import type { RedactContext } from '../core/plugin';
import {
  checkCustomPattern,
  checkCustomPatternName,
  compileCustomPattern,
  CUSTOM_PATTERN_MAX_LENGTH,
  CustomPatternError,
  probeBacktracking,
} from './custom-pattern';

const ctx: RedactContext = { projectId: 'p1', spanId: 's1', field: 'metadata', piiRedaction: true };

describe('compileCustomPattern', () => {
  it('accepts CUST-\\d{6} and replaces each match with [REDACTED:<name>]', () => {
    expect(checkCustomPattern('CUST-\\d{6}')).toBeUndefined();
    const rule = compileCustomPattern({ name: 'customer-id', pattern: 'CUST-\\d{6}' });
    expect(rule.name).toBe('customer-id');
    expect(rule.redact('CUST-123456 and CUST-654321, not CUST-12345', ctx)).toEqual({
      text: '[REDACTED:customer-id] and [REDACTED:customer-id], not CUST-12345',
      hits: 2,
    });
    expect(rule.redact('nothing', ctx)).toEqual({ text: 'nothing', hits: 0 });
  });

  it('is usable again and again (global regex state does not leak between calls)', () => {
    const rule = compileCustomPattern({ name: 'emp', pattern: 'EMP\\d+' });
    for (let i = 0; i < 3; i++) expect(rule.redact('a EMP1 b EMP22', ctx)).toEqual({ text: 'a [REDACTED:emp] b [REDACTED:emp]', hits: 2 });
  });

  it('does not interpret $ sequences in the replacement, and capture groups are harmless', () => {
    const rule = compileCustomPattern({ name: 'acct', pattern: '(?<kind>ACC)T?-(\\d{4})' });
    expect(rule.redact("$1 $& $<kind> ACCT-1234 ACC-9999 $'", ctx)).toEqual({
      text: "$1 $& $<kind> [REDACTED:acct] [REDACTED:acct] $'",
      hits: 2,
    });
  });

  it.each([
    ['[A-Z]{2}\\d{6}'],
    ['\\b\\d{3}-\\d{2}-\\d{4}\\b'],
    ['(?:-\\d+)+'],
    ['(?:[a-z]+\\.)+[a-z]{2,}'],
    ['[a-z]+(?:\\.[a-z]+)+'],
    ['(?:ACCT|ACC)-\\d{8}'],
    ['patient[_-]?id[:=]\\s?\\w+'],
    ['\\p{Lu}{3}-\\d{4}'],
    ['a'.repeat(CUSTOM_PATTERN_MAX_LENGTH)],
    // Patterns whose runtime probe comes near its time limit (e.g. `\p{L}+\d+`) are left out:
    // on a loaded machine they may be refused, which is the safe side to err on.
  ])('accepts %s', (pattern) => {
    expect(checkCustomPattern(pattern)).toBeUndefined();
  });

  it.each([
    ['(a+)+$', /nested quantifier/],
    ['([a-z]*)*', /empty string/],
    ['(.*)*', /empty string/],
    ['(a|a)*b', /alternatives/],
    ['(a|ab)+', /alternatives/],
    ['(\\w|\\d)+x', /alternatives/],
    ['(\\w+\\s?)+$', /nested quantifier/],
    ['(?:a{1,10}){1,10}', /nested quantifier/],
    ['\\d+\\d+', /variable-length parts/],
    ['\\w+.\\w+', /variable-length parts/],
    ['x.*y.*z', /variable-length parts/],
    ['[^\\p{L}]+[^\\p{L}]+', /variable-length parts/], // a negated property stays over-approximated
    ['(a)\\1', /Backreferences/],
    ['(?<x>a)\\k<x>', /Backreferences/],
    ['a*', /empty string/],
    ['(?=x)', /empty string/],
    ['\\b', /empty string/],
    ['(', /Invalid regular expression/],
    ['[a-', /Invalid regular expression/],
    ['a{2,1}', /Invalid regular expression/],
    ['\\-', /Invalid regular expression/], // identity escape outside a class: refused in u-mode
    ['', /empty/],
    ['a'.repeat(CUSTOM_PATTERN_MAX_LENGTH + 1), /longer than 500/],
  ])('rejects %s', (pattern, message) => {
    const error = checkCustomPattern(pattern);
    expect(error).toMatch(message);
    expect(() => compileCustomPattern({ name: 'x', pattern })).toThrow(CustomPatternError);
  });

  it('rejects a pattern that is not a string', () => {
    expect(checkCustomPattern(42)).toMatch(/string/);
    expect(checkCustomPattern(undefined)).toMatch(/string/);
  });

  it.each(['', 'Customer', '-id', 'a_b', 'cust id', 'émail', 'a'.repeat(64), 'id\n'])('rejects the name %j', (name) => {
    expect(checkCustomPatternName(name)).toBeDefined();
    expect(() => compileCustomPattern({ name, pattern: 'CUST-\\d{6}' })).toThrow(CustomPatternError);
  });

  it.each(['customer-id', 'a', '0', 'emp-2', 'a'.repeat(63)])('accepts the name %j', (name) => {
    expect(checkCustomPatternName(name)).toBeUndefined();
    expect(compileCustomPattern({ name, pattern: 'x' }).name).toBe(name);
  });
});

describe('repetition caps', () => {
  it.each([
    ['EMP\\d+', 'EMP\\d+'], // last in the pattern
    ['EMP\\d+\\b', 'EMP\\d+\\b'], // directly after a character it cannot match
    ['id=\\w+;', 'id=\\w+;'],
    ['[a-z]+@corp', '[a-z]{1,64}@corp'],
    ['\\d*x', '\\d{0,64}x'],
    ['x\\w{3,}y', 'x\\w{3,64}y'], // x is a word character
    ['x\\w{100,}y', 'x\\w{100,164}y'],
    ['\\d+?x', '\\d{1,64}?x'], // lazy stays lazy
  ])('%s runs as %s', (pattern, effective) => {
    expect(compileCustomPattern({ name: 'x', pattern }).effectivePattern).toBe(effective);
  });

  it('keeps a capped pattern linear on adversarial input', () => {
    const rule = compileCustomPattern({ name: 'corp', pattern: '[a-z]+@corp' });
    const input = 'a'.repeat(100_000);
    const t0 = performance.now();
    expect(rule.redact(input, ctx).hits).toBe(0);
    expect(performance.now() - t0).toBeLessThan(500); // uncapped: ~10 s
    expect(rule.redact(`mail ${'a'.repeat(70)}@corp now`, ctx).text).toBe(`mail ${'a'.repeat(6)}[REDACTED:corp] now`);
  });
});

describe('probeBacktracking (the runtime backstop)', () => {
  it('catches an exponential pattern quickly and safely', () => {
    const t0 = performance.now();
    expect(probeBacktracking(/(a+)+$/u, ['a'])).toMatch(/Catastrophic backtracking/);
    expect(performance.now() - t0).toBeLessThan(2_000);
  });

  it('catches a quadratic pattern on the long run', () => {
    expect(probeBacktracking(/\d+\d+x/u, ['1'])).toMatch(/too slow/);
  });

  it('passes a linear pattern', () => {
    expect(probeBacktracking(/CUST-\d{6}/u, ['C', '0', '-'])).toBeUndefined();
  });
});
