import { describe, expect, it } from 'vitest';
import { matchRoute, projectPath, safeReturnTo, tracePath } from './routes';

describe('routes', () => {
  it('matches every page', () => {
    expect(matchRoute('/')).toEqual({ name: 'home' });
    expect(matchRoute('/signin')).toEqual({ name: 'signin' });
    expect(matchRoute('/p/abc')).toEqual({ name: 'traces', projectId: 'abc' });
    expect(matchRoute('/p/abc/traces/t%201')).toEqual({ name: 'trace', projectId: 'abc', traceId: 't 1' });
    expect(matchRoute('/p/abc/usage')).toEqual({ name: 'usage', projectId: 'abc' });
    expect(matchRoute('/p/abc/audit/')).toEqual({ name: 'audit', projectId: 'abc' });
    expect(matchRoute('/p/abc/nope')).toEqual({ name: 'not-found' });
    expect(matchRoute('/elsewhere')).toEqual({ name: 'not-found' });
  });

  it('builds paths that match back', () => {
    expect(matchRoute(tracePath('p 1', 'trace/1'))).toEqual({ name: 'trace', projectId: 'p 1', traceId: 'trace/1' });
    expect(matchRoute(projectPath('x', 'keys'))).toEqual({ name: 'keys', projectId: 'x' });
  });

  it('only returns to local paths after sign-in', () => {
    expect(safeReturnTo('/p/1/traces?x=1')).toBe('/p/1/traces?x=1');
    expect(safeReturnTo('//evil.example')).toBeNull();
    expect(safeReturnTo('https://evil.example')).toBeNull();
    expect(safeReturnTo('/\\evil.example')).toBeNull();
    expect(safeReturnTo(null)).toBeNull();
  });
});
