import { describe, expect, it } from 'vitest';
import { matchRoute, pricesPath, projectPath, safeReturnTo, sessionPath, spanPath, tracePath, tracesOfPath } from './routes';

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

  it('matches the pages of round 2: sessions, a session, users, prices, an invitation', () => {
    expect(matchRoute('/p/abc/sessions')).toEqual({ name: 'sessions', projectId: 'abc' });
    expect(matchRoute(sessionPath('abc', 'chat/42'))).toEqual({ name: 'session', projectId: 'abc', sessionId: 'chat/42' });
    expect(matchRoute('/p/abc/users')).toEqual({ name: 'users', projectId: 'abc' });
    expect(matchRoute('/p/abc/prices')).toEqual({ name: 'prices', projectId: 'abc' });
    expect(matchRoute('/invite/tok-123')).toEqual({ name: 'invite', token: 'tok-123' });
    expect(spanPath('p', 't', 's 1')).toBe('/p/p/traces/t?span=s%201');
    expect(pricesPath('p', 'acme/llm')).toBe('/p/p/prices?model=acme%2Fllm');
    expect(tracesOfPath('p', { user: 'u 1' })).toBe('/p/p/traces?user=u+1&range=all');
  });
});
