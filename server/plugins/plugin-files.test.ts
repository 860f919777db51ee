import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAesGcmCodec } from '../../plugins/encryption/aes-gcm-codec';
import { generateKey, KEY_FILE_NAME, KeyRingError, parseKeyRing, useEncryption } from '../../plugins/encryption/index';
import { useAudit } from '../../plugins/audit/index';
import type { AuditEvent } from '../../plugins/core/index';
import { appendOnlyFile, pluginFiles } from './plugin-files';

const posix = process.platform !== 'win32';
const ctx = { projectId: 'p', table: 'spans', rowId: 'r', column: 'input' };

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tokentrace-keys-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

// The encryption plugin's embedded default, built as the loader builds it: the setup context's
// `localSecretFile` over a real data folder.
function loadOrCreateLocalKeyRing(dataDir: string, warn: (message: string) => void) {
  const plugin = useEncryption()({ env: 'development', dataDir, encryptionKeys: undefined, warn, ...pluginFiles(dataDir, warn) });
  const file = join(dataDir, KEY_FILE_NAME);
  // The ring the codec got is the file's: read it back as the operator would.
  expect(plugin.codec).toBeDefined();
  return parseKeyRing(readFileSync(file, 'utf8'), file);
}

describe('localSecretFile (the encryption key file)', () => {
  it('creates the directory and a 0600 key file with one key, and warns once', () => {
    const dataDir = join(root, 'nested', 'data');
    const warnings: string[] = [];
    const ring = loadOrCreateLocalKeyRing(dataDir, (m) => warnings.push(m));

    const path = join(dataDir, KEY_FILE_NAME);
    const text = readFileSync(path, 'utf8');
    expect(text).toMatch(/^local-\d{8}:[A-Za-z0-9+/]{43}=\n$/);
    expect(ring.ids).toEqual([text.split(':')[0]]);
    if (posix) expect(statSync(path).mode & 0o777).toBe(0o600);

    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(path);
    expect(warnings[0]).toMatch(/back this file up/);
    expect(warnings[0]).toContain('TOKENTRACE_ENCRYPTION_KEYS');
    expect(warnings[0]).not.toContain(text.trim().split(':')[1]);
    // No temporary file left behind.
    expect(readdirSync(dataDir)).toEqual([KEY_FILE_NAME]);
  });

  it('reuses the file on the next call, without warning', () => {
    const warnings: string[] = [];
    const first = loadOrCreateLocalKeyRing(root, (m) => warnings.push(m));
    const before = readFileSync(join(root, KEY_FILE_NAME), 'utf8');
    const second = loadOrCreateLocalKeyRing(root, (m) => warnings.push(m));

    expect(warnings).toHaveLength(1);
    expect(readFileSync(join(root, KEY_FILE_NAME), 'utf8')).toBe(before);
    expect(second.ids).toEqual(first.ids);
    // Same key: what the first ring sealed, the second opens.
    const writer = createAesGcmCodec(first);
    const dataKey = writer.projectKeys!.create(ctx.projectId);
    const sealed = writer.encode(Uint8Array.of(1, 2, 3), { ...ctx, keys: writer.projectKeys!.open(ctx.projectId, [dataKey]) });
    const reader = createAesGcmCodec(second);
    expect([...reader.decode(sealed, { ...ctx, keys: reader.projectKeys!.open(ctx.projectId, [dataKey]) })]).toEqual([1, 2, 3]);
  });

  it('reads a ring written by an operator (several keys, first is primary)', () => {
    writeFileSync(join(root, KEY_FILE_NAME), `k2:${generateKey()},k1:${generateKey()}\n`, { mode: 0o600 });
    const warnings: string[] = [];
    const ring = loadOrCreateLocalKeyRing(root, (m) => warnings.push(m));
    expect(ring.ids).toEqual(['k2', 'k1']);
    expect(ring.primary.id).toBe('k2');
    expect(warnings).toEqual([]);
  });

  it('refuses a broken file, naming it, and never replaces it', () => {
    const path = join(root, KEY_FILE_NAME);
    const short = Buffer.alloc(16, 3).toString('base64');
    writeFileSync(path, `k1:${short}\n`, { mode: 0o600 });
    let error: unknown;
    try {
      loadOrCreateLocalKeyRing(root, () => {});
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(KeyRingError);
    expect((error as Error).message).toBe(`${path}: key "k1" is 16 bytes, need 32`);
    expect(readFileSync(path, 'utf8')).toBe(`k1:${short}\n`);
  });

  it('refuses an empty file rather than generating a new key over it', () => {
    const path = join(root, KEY_FILE_NAME);
    writeFileSync(path, '', { mode: 0o600 });
    expect(() => loadOrCreateLocalKeyRing(root, () => {})).toThrow(/encryption-keys: no keys/);
    expect(readFileSync(path, 'utf8')).toBe('');
  });

  it.runIf(posix)('warns when an existing file is readable by others', () => {
    const path = join(root, KEY_FILE_NAME);
    loadOrCreateLocalKeyRing(root, () => {});
    chmodSync(path, 0o644);
    const warnings: string[] = [];
    loadOrCreateLocalKeyRing(root, (m) => warnings.push(m));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/readable by other users \(mode 0644\)/);
  });
});

describe('appendOnlyFile (the audit file sink)', () => {
  const event = (n: number): AuditEvent => ({
    id: String(n), at: new Date(Date.UTC(2026, 10, 29, 10, 0, n)), projectId: 'p1', action: 'api_key.create',
    actor: { type: 'user', id: 'u1', label: 'ann@example.com' }, targetType: 'api_key', targetId: `k${n}`,
    ip: null, userAgent: null, details: null,
  });
  const build = (dataDir: string, file: string) =>
    useAudit({ sink: { file } })({ env: 'test', dataDir, encryptionKeys: undefined, warn: () => {}, ...pluginFiles(dataDir, () => {}) });

  it('appends JSON lines to a file only its owner can read, across sinks and restarts', async () => {
    const file = join(root, 'audit.jsonl');
    const [first] = build(root, file).auditSinks!;
    await Promise.all([first!.write(event(1)), first!.write(event(2))]);
    const [again] = build(root, file).auditSinks!;
    await again!.write(event(3));
    const ids = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids).toEqual(['1', '2', '3']);
    if (posix) expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('fails at once, naming the problem, for a path it cannot write', () => {
    expect(() => appendOnlyFile(join(root, 'missing', 'audit.jsonl'))).toThrow(/ENOENT/);
    expect(() => build(root, join(root, 'missing', 'audit.jsonl'))).toThrow(/ENOENT/);
  });
});
