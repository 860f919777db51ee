import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAesGcmCodec } from '../../plugins/encryption/aes-gcm-codec';
import { KEY_FILE_NAME } from '../../plugins/encryption/index';
import { generateKey, parseKeyRing } from '../../plugins/encryption/key-ring';
import { encodeContent } from './content';
import { createTestApp, INGEST, span, type TestApp, type TestClient } from '../testing/test-app';

// Encryption at rest, end to end: what reaches the database, what the API does with a value
// it cannot decrypt, and the generated key file of the embedded default.

const SECRET = 'secret sauce 12345';
const usingPostgres = Boolean(inject('testDatabaseUrl'));
// Redaction runs on ingest here too; its per-span time budget is not what these tests are
// about, and a busy test machine can stall a span past the default.
const SLOW_MACHINE = { TOKENTRACE_REDACTION_BUDGET_MS: '10000' };

const DETAIL = `query($p: ID!, $id: ID!) {
  project(id: $p) { trace(id: $id) { id spans { id name input output } } }
}`;

async function ingest(client: TestClient, spans: Record<string, unknown>[]): Promise<void> {
  const res = await client.gql(INGEST, { spans });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  expect(res.data.ingest.rejected).toEqual([]);
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tokentrace-enc-'));
}

/** Every file under `dir`, concatenated: what someone with the disk (or a backup) would hold. */
function allBytes(dir: string): Buffer {
  const chunks: Buffer[] = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) chunks.push(readFileSync(join(entry.parentPath, entry.name)));
  }
  return Buffer.concat(chunks);
}

describe('stored content', () => {
  const key = generateKey();
  const dir = tempDir();
  let t: TestApp;
  let closed = false;
  let owner: TestClient;
  let projectId: string;

  beforeAll(async () => {
    t = await createTestApp({ ...SLOW_MACHINE, TOKENTRACE_DATA_DIR: dir, TOKENTRACE_ENCRYPTION_KEYS: `k1:${key}` });
    const p = await t.projectWithKey();
    ({ owner, projectId } = p);
    await ingest(p.ingest, [
      span({ id: 'plain-1', traceId: 'tr-plain', name: 'visible-canary-name', input: { prompt: SECRET }, output: { text: `${SECRET} (reply)` } }),
      span({ id: 'plain-2', traceId: 'tr-plain', input: [SECRET, { deep: { deeper: SECRET } }], output: SECRET }),
    ]);
  });
  afterAll(async () => {
    if (!closed) await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds no plaintext in the content columns or anywhere in the row', async () => {
    const { rows } = await sql<{ input: Uint8Array; output: Uint8Array; row_text: string }>`
      select input, output, s::text as row_text from spans s where project_id = ${projectId}`.execute(t.app.deps.db);
    expect(rows).toHaveLength(2);
    const needles = [SECRET, 'secret sauce', '12345'];
    for (const row of rows) {
      for (const bytes of [row.input, row.output]) {
        const buf = Buffer.from(bytes);
        expect(buf[0]).toBe(2); // format version 2: sealed with the project's data key, not merely opaque
        for (const needle of needles) expect(buf.includes(needle)).toBe(false);
      }
      // bytea prints as hex in the row's text form: look for the plaintext's hex as well.
      for (const needle of needles) {
        expect(row.row_text).not.toContain(needle);
        expect(row.row_text).not.toContain(Buffer.from(needle).toString('hex'));
      }
    }
  });

  it('reads the content back through the API', async () => {
    const res = await owner.gql(DETAIL, { p: projectId, id: 'tr-plain' });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect(res.data.project.trace.spans).toEqual([
      { id: 'plain-1', name: 'visible-canary-name', input: { prompt: SECRET }, output: { text: `${SECRET} (reply)` } },
      { id: 'plain-2', name: 'chat', input: [SECRET, { deep: { deeper: SECRET } }], output: SECRET },
    ]);
  });

  it.skipIf(usingPostgres)('leaves no plaintext in the database files on disk', async () => {
    closed = true;
    await t.close(); // PGlite flushes on close
    const disk = allBytes(join(dir, 'pgdata'));
    // Positive control: a plain column's text is found, so the search would find the content.
    expect(disk.includes('visible-canary-name')).toBe(true);
    expect(disk.includes(SECRET)).toBe(false);
    expect(disk.includes('secret sauce')).toBe(false);
  });
});

describe('a stored value that cannot be decrypted', () => {
  const key = generateKey();
  const logLines: string[] = [];
  let t: TestApp;
  let owner: TestClient;
  let projectId: string;
  const ids = ['good', 'tampered', 'wrong-key', 'moved', 'unknown-key', 'truncated'];
  // Which field of which span is broken, and the reason the API should give.
  const broken = [
    { id: 'tampered', field: 'input', reason: 'authentication-failed' },
    { id: 'wrong-key', field: 'output', reason: 'authentication-failed' },
    { id: 'moved', field: 'input', reason: 'authentication-failed' },
    { id: 'unknown-key', field: 'input', reason: 'unknown-key' },
    { id: 'truncated', field: 'output', reason: 'truncated' },
  ] as const;
  const inputOf = (id: string) => ({ prompt: `${SECRET} for ${id}` });
  const outputOf = (id: string) => ({ text: `reply to ${id}` });

  beforeAll(async () => {
    const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
    t = await createTestApp({ ...SLOW_MACHINE, TOKENTRACE_ENCRYPTION_KEYS: `k1:${key}` }, { logger });
    const p = await t.projectWithKey();
    ({ owner, projectId } = p);
    await ingest(
      p.ingest,
      ids.map((id, i) => span({ id, traceId: 'tr-bad', startTime: `2026-11-01T10:00:0${i}.000Z`, endTime: null, input: inputOf(id), output: outputOf(id) })),
    );

    const db = t.app.deps.db;
    const stored = async (id: string) =>
      db.selectFrom('spans').select(['input', 'output']).where('project_id', '=', projectId).where('id', '=', id).executeTakeFirstOrThrow();
    const put = (id: string, values: { input?: Uint8Array; output?: Uint8Array }) =>
      db.updateTable('spans').set(values).where('project_id', '=', projectId).where('id', '=', id).execute();
    const where = (id: string, column: string) => ({ projectId, table: 'spans', rowId: id, column });

    // One byte of ciphertext flipped.
    const tampered = Buffer.from((await stored('tampered')).input!);
    tampered.writeUInt8(tampered.readUInt8(tampered.length - 20) ^ 0x01, tampered.length - 20);
    await put('tampered', { input: tampered });
    // Sealed with other key material under the project's data key id (a forged or mixed-up key).
    const impostor = createAesGcmCodec(parseKeyRing(`k1:${generateKey()}`));
    const sealedByImpostor = (id: string, column: string, value: unknown) => {
      const keys = impostor.projectKeys!.open(projectId, [impostor.projectKeys!.create(projectId)]);
      return Buffer.from(encodeContent(impostor, value, { ...where(id, column), keys })!);
    };
    const realKeyId = (await db.selectFrom('project_data_keys').select('id').where('project_id', '=', projectId).executeTakeFirstOrThrow()).id;
    const forged = sealedByImpostor('wrong-key', 'output', outputOf('wrong-key'));
    forged.write(realKeyId, 2, 'latin1');
    await put('wrong-key', { output: forged });
    // A good value copied into another row.
    await put('moved', { input: (await stored('good')).input! });
    // Sealed with a data key the project does not hold (destroyed, or from elsewhere).
    await put('unknown-key', { input: sealedByImpostor('unknown-key', 'input', inputOf('unknown-key')) });
    // Cut short.
    await put('truncated', { output: Buffer.from((await stored('truncated')).output!).subarray(0, 20) });
  });
  afterAll(() => t.close());

  it('returns every span, with an error on exactly the broken fields', async () => {
    logLines.length = 0;
    const res = await owner.gql(DETAIL, { p: projectId, id: 'tr-bad' });
    expect(res.status).toBe(200);
    const spans = res.data.project.trace.spans as { id: string; name: string; input: unknown; output: unknown }[];
    expect(spans.map((s) => s.id)).toEqual(ids);
    for (const [index, s] of spans.entries()) {
      const bad = broken.find((b) => b.id === s.id);
      expect(s.name).toBe('chat');
      expect(s.input).toEqual(bad?.field === 'input' ? null : inputOf(s.id));
      expect(s.output).toEqual(bad?.field === 'output' ? null : outputOf(s.id));
      if (bad) {
        const error = res.errors?.find((e) => JSON.stringify(e.path) === JSON.stringify(['project', 'trace', 'spans', index, bad.field]));
        expect(error, `${s.id}.${bad.field}: ${JSON.stringify(res.errors)}`).toBeDefined();
        expect(error!.extensions).toEqual({ code: 'CONTENT_UNREADABLE', reason: bad.reason });
        expect(error!.message).toMatch(new RegExp(`^The stored ${bad.field} of this span cannot be read: `));
      }
    }
    expect(res.errors).toHaveLength(broken.length);
    const text = JSON.stringify(res.errors);
    for (const secret of [SECRET, key, 'reply to']) expect(text).not.toContain(secret);
  });

  it('logs each failure with ids and reason, never content or key material', async () => {
    logLines.length = 0;
    await owner.gql(DETAIL, { p: projectId, id: 'tr-bad' });
    const entries = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.msg === 'span content unreadable');
    expect(entries.map((e) => [e.spanId, e.column, e.reason]).sort()).toEqual(broken.map((b) => [b.id, b.field, b.reason]).sort());
    for (const e of entries) expect(e).toMatchObject({ projectId, traceId: 'tr-bad', level: 50 });
    const all = logLines.join('\n');
    for (const secret of [SECRET, key, 'reply to', 'prompt']) expect(all).not.toContain(secret);
  });

  it('fails only the field asked for', async () => {
    const res = await owner.gql(`query($p: ID!, $id: ID!) { project(id: $p) { trace(id: $id) { spans { id output } } } }`, { p: projectId, id: 'tr-bad' });
    expect(res.errors?.map((e) => e.path?.at(-1))).toEqual(['output', 'output']);
    expect(res.data.project.trace.spans).toHaveLength(ids.length);
  });
});

describe('the embedded default key', () => {
  const dir = tempDir();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is generated into the data dir with mode 0600 on first start and reused on the next', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const file = join(dir, KEY_FILE_NAME);

    const first = await createTestApp({ ...SLOW_MACHINE, TOKENTRACE_DATA_DIR: dir }, { logger });
    const keyText = readFileSync(file, 'utf8');
    let p: Awaited<ReturnType<TestApp['projectWithKey']>>;
    try {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(keyText).toMatch(/^local-\d{8}:[A-Za-z0-9+/]{43}=\n$/);
      expect(lines.join('\n')).toMatch(/Created a new encryption key/);
      expect(lines.join('\n')).not.toContain(keyText.trim().split(':')[1]);
      p = await first.projectWithKey();
      await ingest(p.ingest, [span({ id: 'kf-1', traceId: 'tr-kf', input: { prompt: SECRET } })]);
    } finally {
      await first.close();
    }

    lines.length = 0;
    const second = await createTestApp({ ...SLOW_MACHINE, TOKENTRACE_DATA_DIR: dir }, { logger });
    try {
      expect(readFileSync(file, 'utf8')).toBe(keyText);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(lines.join('\n')).not.toMatch(/Created a new encryption key|readable by other users/);
      const owner = second.anonymous();
      owner.cookie = p.owner.cookie;
      const res = await owner.gql(DETAIL, { p: p.projectId, id: 'tr-kf' });
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      expect(res.data.project.trace.spans[0].input).toEqual({ prompt: SECRET });
    } finally {
      await second.close();
    }
  }, 90_000); // two starts on a fresh on-disk PGlite: ~20 s alone, more on a busy machine
});
