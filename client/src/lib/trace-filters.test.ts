import { describe, expect, it } from 'vitest';
import { emptyFilters, exportHref, filtersFromSearch, filtersToSearch, hasNarrowingFilters, isoToLocalInput, localInputToIso, orderOf, parseMeta, toggleSort, toTraceFilterInput, type TraceFilterState } from './trace-filters';

describe('trace filters and the URL', () => {
  it('round-trips every filter through the query string', () => {
    const state: TraceFilterState = {
      range: 'custom',
      from: '2026-11-01T10:00:00.000Z',
      to: '2026-11-02T10:00:00.000Z',
      name: 'chat turn',
      userId: 'user-42',
      sessionId: 'sess-1',
      model: 'gpt-4o-mini',
      status: 'ERROR',
      tags: ['prod', 'beta'],
      minCost: '0.01',
      meta: 'tier=gold',
      sort: 'costliest',
    };
    const search = filtersToSearch(state);
    expect(search.toString()).toBe(
      'range=custom&from=2026-11-01T10%3A00%3A00.000Z&to=2026-11-02T10%3A00%3A00.000Z&name=chat+turn&user=user-42&session=sess-1&model=gpt-4o-mini&status=ERROR&tags=prod%2Cbeta&minCost=0.01&meta=tier%3Dgold&sort=costliest',
    );
    expect(filtersFromSearch(new URLSearchParams(search.toString()))).toEqual(state);
  });

  it('keeps the defaults out of the URL and reads an empty URL as the defaults', () => {
    expect(filtersToSearch(emptyFilters()).toString()).toBe('');
    expect(filtersFromSearch(new URLSearchParams())).toEqual(emptyFilters());
    expect(hasNarrowingFilters(emptyFilters())).toBe(false);
    expect(hasNarrowingFilters({ ...emptyFilters(), model: 'x' })).toBe(true);
  });

  it('ignores values it cannot use', () => {
    const f = filtersFromSearch(new URLSearchParams('range=forever&status=MAYBE&from=yesterday&minCost=-1&tags=a,,a, b'));
    expect(f.range).toBe('7d');
    expect(f.status).toBe('');
    expect(f.from).toBe('');
    expect(f.tags).toEqual(['a', 'b']);
    expect(toTraceFilterInput(f).minCostUsd).toBeUndefined();
    expect(filtersToSearch(f).has('minCost')).toBe(false);
  });

  it('resolves presets against now, and passes a custom range as is', () => {
    const now = new Date('2026-11-01T12:00:00.000Z');
    expect(toTraceFilterInput({ ...emptyFilters(), range: '1h' }, now)).toEqual({ from: '2026-11-01T11:00:00.000Z' });
    expect(toTraceFilterInput({ ...emptyFilters(), range: 'all', status: 'OK', minCost: '0' }, now)).toEqual({ status: 'OK', minCostUsd: 0 });
    expect(toTraceFilterInput({ ...emptyFilters(), range: 'custom', from: '2026-10-01T00:00:00.000Z', to: '' }, now)).toEqual({ from: '2026-10-01T00:00:00.000Z' });
  });

  it('converts between datetime-local values and ISO', () => {
    const iso = localInputToIso('2026-11-01T10:30');
    expect(isoToLocalInput(iso)).toBe('2026-11-01T10:30');
    expect(localInputToIso('')).toBe('');
  });

  it('takes the min cost as the number a number input gives, not only as text', () => {
    const f = { ...emptyFilters(), minCost: 0.002 as unknown as string };
    expect(filtersToSearch(f).get('minCost')).toBe('0.002');
    expect(toTraceFilterInput(f).minCostUsd).toBe(0.002);
  });

  it('searches names and models by substring, reads metadata filters, and maps sorts to orders', () => {
    const f = { ...emptyFilters(), range: 'all' as const, name: ' check ', model: '4o', meta: 'attempt = 2' };
    expect(toTraceFilterInput(f)).toEqual({ nameContains: 'check', modelContains: '4o', metadata: [{ key: 'attempt', value: '2' }] });
    expect(parseMeta('tier')).toEqual({ key: 'tier' });
    expect(parseMeta('=x')).toBeNull();
    expect(parseMeta('url=a=b')).toEqual({ key: 'url', value: 'a=b' });
    expect(orderOf('cheapest')).toEqual({ field: 'COST', direction: 'ASC' });
    expect(toggleSort('newest', 'COST')).toBe('costliest');
    expect(toggleSort('costliest', 'COST')).toBe('cheapest');
    expect(toggleSort('cheapest', 'COST')).toBe('costliest');
    expect(filtersFromSearch(new URLSearchParams('sort=sideways')).sort).toBe('newest');
    expect(hasNarrowingFilters({ ...emptyFilters(), sort: 'slowest' })).toBe(false);
  });
});

describe('the export link', () => {
  it('carries the list’s filters as the export’s query parameters', () => {
    const now = new Date('2026-11-10T12:00:00.000Z');
    const f: TraceFilterState = { ...emptyFilters(), range: '24h', userId: 'alice', status: 'ERROR', tags: ['prod', 'beta'], minCost: '0.5' };
    const href = exportHref('p 1', f, 'csv', now);
    const url = new URL(href, 'http://x');
    expect(url.pathname).toBe('/api/projects/p%201/export');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      format: 'csv',
      from: '2026-11-09T12:00:00.000Z',
      userId: 'alice',
      status: 'ERROR',
      tags: 'prod,beta',
      minCostUsd: '0.5',
    });
    expect(new URL(exportHref('p', { ...emptyFilters(), range: 'all' }, 'jsonl', now), 'http://x').search).toBe('?format=jsonl');
  });

  it('exports by the same substring and metadata filters the list queries with', () => {
    const now = new Date('2026-11-10T12:00:00.000Z');
    const f: TraceFilterState = { ...emptyFilters(), range: 'custom', from: '2026-11-01T00:00:00.000Z', to: '2026-11-02T00:00:00.000Z', name: 'check', model: 'mini', sessionId: 's1', meta: 'plan = pro' };
    const url = new URL(exportHref('p', f, 'jsonl', now), 'http://x');
    const input = toTraceFilterInput(f, now);
    expect(input).toMatchObject({ nameContains: 'check', modelContains: 'mini', metadata: [{ key: 'plan', value: 'pro' }] });
    expect(Object.fromEntries(url.searchParams)).toEqual({
      format: 'jsonl',
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-11-02T00:00:00.000Z',
      nameContains: 'check',
      modelContains: 'mini',
      sessionId: 's1',
      metadata: 'plan=pro',
    });
    expect(new URL(exportHref('p', { ...emptyFilters(), meta: 'beta' }, 'csv', now), 'http://x').searchParams.getAll('metadata')).toEqual(['beta']);
  });
});
