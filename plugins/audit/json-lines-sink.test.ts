import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createPluginTestkit, type AuditEvent, type TokentracePlugin } from '../core/index';
import { AUDIT_LINE_SOURCE, createJsonLinesSink, formatAuditLine, streamSink } from './json-lines-sink';
import { useAudit } from './plugin';

// The SIEM export: one JSON object per line, in commit order, nothing lost to a failed write.

function event(n: number, extra: Partial<AuditEvent> = {}): AuditEvent {
  return {
    id: String(n),
    at: new Date(Date.UTC(2026, 10, 29, 10, 0, n)),
    projectId: 'p1',
    action: 'api_key.create',
    actor: { type: 'user', id: 'u1', label: 'ann@example.com' },
    targetType: 'api_key',
    targetId: `k${n}`,
    ip: '203.0.113.9',
    userAgent: 'ua',
    details: { name: `key ${n}` },
    hash: 'ab'.repeat(32),
    prevHash: 'cd'.repeat(32),
    ...extra,
  };
}

const lines = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

/** Builds the plugin as the server's loader does when it starts (async, so a throw rejects). */
async function build(plugin: ReturnType<typeof useAudit>): Promise<TokentracePlugin> {
  return (await createPluginTestkit(plugin)).plugin;
}

describe('formatAuditLine', () => {
  it('writes one line per event, even with newlines inside values', () => {
    const line = formatAuditLine(event(1, { userAgent: 'evil\nagent', details: { note: 'a\r\nb' } }));
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toMatch(/[\r\n]/);
    expect(JSON.parse(line)).toEqual({
      source: AUDIT_LINE_SOURCE,
      id: '1',
      at: '2026-11-29T10:00:01.000Z',
      projectId: 'p1',
      action: 'api_key.create',
      actor: { type: 'user', id: 'u1', label: 'ann@example.com' },
      targetType: 'api_key',
      targetId: 'k1',
      ip: '203.0.113.9',
      userAgent: 'evil\nagent',
      details: { note: 'a\r\nb' },
      hash: 'ab'.repeat(32),
      prevHash: 'cd'.repeat(32),
    });
  });

  it('writes null, not nothing, for absent values', () => {
    const parsed = JSON.parse(formatAuditLine(event(2, { details: undefined, hash: undefined, prevHash: undefined, ip: null })));
    expect(parsed).toMatchObject({ details: null, hash: null, prevHash: null, ip: null });
  });
});

describe('createJsonLinesSink', () => {
  it('keeps events in order behind a slow write, and goes on after a failed one', async () => {
    const written: string[] = [];
    let calls = 0;
    const sink = createJsonLinesSink('test', async (line) => {
      calls += 1;
      if (calls === 1) await new Promise((r) => setTimeout(r, 30));
      if (calls === 2) throw new Error('disk full');
      written.push(line);
    });
    const results = await Promise.allSettled([1, 2, 3].map((n) => sink.write(event(n))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(lines(written.join('')).map((l) => l.id)).toEqual(['1', '3']);
  });
});

describe('streamSink (stdout)', () => {
  it('writes each event as a line to the stream', async () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    const sink = streamSink(stream);
    await sink.write(event(1));
    await sink.write(event(2));
    expect(lines(text).map((l) => l.id)).toEqual(['1', '2']);
  });
});

// The file itself (mode 0600, appends across restarts, a bad path) is the server's
// `appendOnlyFile`: server/plugins/plugin-files.test.ts.
describe('fileSink and useAudit', () => {
  it('appends JSON lines, in order, to the file the setup context opens', async () => {
    const kit = await createPluginTestkit(useAudit({ sink: { file: '/var/log/audit.jsonl' } }));
    const [sink] = kit.plugin.auditSinks!;
    expect(sink!.name).toBe('audit-file:/var/log/audit.jsonl');
    await Promise.all([sink!.write(event(1)), sink!.write(event(2))]);
    expect(lines(kit.files.get('/var/log/audit.jsonl')!).map((l) => l.id)).toEqual(['1', '2']);
  });

  it('has no sink by default, one for stdout when asked', async () => {
    const plugin = await build(useAudit());
    expect(plugin).toMatchObject({ name: 'audit', auditSinks: [] });
    expect((await build(useAudit({ sink: 'stdout' }))).auditSinks?.map((s) => s.name)).toEqual(['audit-stdout']);
  });

  it('fails to load, naming the problem, for a bad option', async () => {
    await expect(build(useAudit({ sink: 'stderr' as 'stdout' }))).rejects.toThrow(/sink must be 'stdout' or \{ file/);
    await expect(build(useAudit({ sink: { file: '' } }))).rejects.toThrow(/sink must be/);
  });
});
