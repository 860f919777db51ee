import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  CodecError,
  definePlugin,
  redactionPlaceholder,
  type CodecContext,
  type ContentCodec,
  type ProjectKeys,
  type RedactionResult,
  type Redactor,
  type StoredProjectKey,
} from '../../../plugins/core/index';

// A plugin as a third party would write it, from the contract alone: it imports plugins/core
// and node:crypto, nothing of the built-ins or the server (third-party-plugin.test.ts checks).
// Not encryption worth the name — a keyed XOR stream with a MAC, enough to tell sealed from
// plain and to fail on tampering — but it uses every hook a real codec needs: per-project data
// keys wrapped under a master key, rewrap for master-key rotation, currentPrefix for re-sealing,
// and CodecError with its own reasons. Its redactor hides ACME order numbers.

const MAGIC = 'VLT1';

interface VaultKeys extends ProjectKeys {
  /** Data key id → secret. The server passes this object back untouched. */
  readonly secrets: ReadonlyMap<string, Buffer>;
}

const digest = (...parts: (string | Buffer)[]) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest();
};

function keystream(secret: Buffer, ctx: CodecContext, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let block = 0; block * 32 < length; block++) {
    digest(secret, ctx.projectId, ctx.table, ctx.rowId, ctx.column, String(block)).copy(out, block * 32);
  }
  return out;
}

const xor = (a: Uint8Array, b: Buffer) => Buffer.from(a.map((byte, i) => byte ^ b[i]!));

export interface VaultOptions {
  /** Master keys by name; the first wraps new data keys, every one unwraps. */
  masterKeys: string[];
}

export function vaultCodec({ masterKeys }: VaultOptions): ContentCodec {
  const [current] = masterKeys;
  if (!current) throw new Error('vault: at least one master key');
  const wrap = (projectId: string, master: string, secret: Buffer) =>
    Buffer.concat([Buffer.from(`${master}:`), xor(secret, digest(master, projectId))]);
  const unwrap = (projectId: string, key: StoredProjectKey): { master: string; secret: Buffer } => {
    const text = Buffer.from(key.wrapped);
    const colon = text.indexOf(':');
    const master = text.subarray(0, colon).toString();
    if (colon < 1 || !masterKeys.includes(master)) throw new CodecError('unknown-key', `vault: project ${projectId}, data key ${key.id}: its master key is not configured`);
    return { master, secret: xor(text.subarray(colon + 1), digest(master, projectId)) };
  };
  const keysOf = (ctx: { projectId: string; keys?: ProjectKeys }): VaultKeys => {
    const keys = ctx.keys as VaultKeys | undefined;
    if (!keys?.secrets || keys.projectId !== ctx.projectId) throw new CodecError('no-project-keys', `vault: no keys for project ${ctx.projectId}`);
    return keys;
  };
  const prefixOf = (keyId: string) => Buffer.from(`${MAGIC}:${keyId}:`);

  return {
    name: 'vault',
    projectKeys: {
      create: (projectId) => ({ id: `dk${randomBytes(4).toString('hex')}`, wrapped: wrap(projectId, current, randomBytes(32)) }),
      open(projectId, stored) {
        const secrets = new Map(stored.map((key) => [key.id, unwrap(projectId, key).secret]));
        const keyIds = stored.map((key) => key.id);
        return { projectId, currentKeyId: keyIds[0]!, keyIds, secrets } satisfies VaultKeys;
      },
      rewrap(projectId, key) {
        const { master, secret } = unwrap(projectId, key);
        return master === current ? null : wrap(projectId, current, secret);
      },
    },
    currentPrefix: (ctx) => prefixOf(keysOf(ctx).currentKeyId),
    encode(plain, ctx) {
      const keys = keysOf(ctx);
      const secret = keys.secrets.get(keys.currentKeyId)!;
      const body = xor(plain, keystream(secret, ctx, plain.length));
      return Buffer.concat([prefixOf(keys.currentKeyId), body, digest(secret, body).subarray(0, 16)]);
    },
    decode(stored, ctx) {
      const bytes = Buffer.from(stored);
      const [magic, keyId] = bytes.subarray(0, 64).toString('latin1').split(':');
      if (magic !== MAGIC || keyId === undefined) throw new CodecError('malformed', `vault: ${ctx.table} ${ctx.rowId}.${ctx.column} is not a vault value`);
      const secret = keysOf(ctx).secrets.get(keyId);
      if (!secret) throw new CodecError('unknown-key', `vault: ${ctx.table} ${ctx.rowId}.${ctx.column}: data key ${keyId} is not the project's`);
      const body = bytes.subarray(prefixOf(keyId).length, bytes.length - 16);
      if (!timingSafeEqual(digest(secret, body).subarray(0, 16), bytes.subarray(bytes.length - 16))) {
        throw new CodecError('authentication-failed', `vault: ${ctx.table} ${ctx.rowId}.${ctx.column} was altered`);
      }
      return xor(body, keystream(secret, ctx, body.length));
    },
  };
}

export const acmeOrderRedactor: Redactor = {
  name: 'acme-order',
  redact(text): RedactionResult {
    let hits = 0;
    const out = text.replace(/\bACME-\d{4,}\b/g, () => {
      hits++;
      return redactionPlaceholder('acme-order');
    });
    return { text: out, hits };
  },
};

/** The third party's entry for tokentrace.config.ts. */
export function vault(options: VaultOptions) {
  return definePlugin(function vault() {
    return { name: 'vault', codec: vaultCodec(options), redactors: [acmeOrderRedactor] };
  });
}
