import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, TestClient } from '../testing/test-app';
import { credentialMatches, hashCredential, issueCredential, parseCredential, type CredentialKind } from './secrets';

// What a security reviewer checks about ingest keys (ttk_) and personal access tokens (ttp_):
// enough randomness, a checksum that catches typos and lets secret scanners recognise them,
// a display prefix that gives nothing away, and only a SHA-256 of the secret at rest.

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const CHECKSUM_LENGTH = 6;
const LOOKUP_LENGTH = 12;

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function fromBase62(text: string): bigint {
  let n = 0n;
  for (const ch of text) {
    const digit = ALPHABET.indexOf(ch);
    if (digit < 0) throw new Error(`not base62: ${ch}`);
    n = n * 62n + BigInt(digit);
  }
  return n;
}

function toBase62(n: bigint, length: number): string {
  let out = '';
  while (n > 0n) {
    out = ALPHABET[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out.padStart(length, '0');
}

/** Splits a credential into its documented parts: `<kind>_<lookup id><secret><checksum>`. */
function parts(secret: string) {
  const kind = secret.slice(0, 3);
  const rest = secret.slice(4);
  return {
    kind,
    lookup: rest.slice(0, LOOKUP_LENGTH),
    random: rest.slice(LOOKUP_LENGTH, rest.length - CHECKSUM_LENGTH),
    checksum: rest.slice(rest.length - CHECKSUM_LENGTH),
  };
}

/** A credential with the right shape and a valid checksum, computed independently of secrets.ts. */
function withValidChecksum(kind: string, body: string): string {
  return `${kind}_${body}${toBase62(BigInt(crc32(`${kind}_${body}`)), CHECKSUM_LENGTH)}`;
}

/** Replaces the character at `index` with a different base62 character. */
function mutateAt(text: string, index: number, offset = 1): string {
  const current = ALPHABET.indexOf(text[index]!);
  const replacement = ALPHABET[(current + offset) % ALPHABET.length]!;
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

describe.each<CredentialKind>(['ttk', 'ttp'])('issued %s_ credentials', (kind) => {
  it('are the prefix followed by base62 only, with a lookup id, 256-bit secret and checksum', () => {
    const issued = issueCredential(kind);
    expect(issued.secret).toMatch(new RegExp(`^${kind}_[0-9A-Za-z]+$`));
    const p = parts(issued.secret);
    expect(p.lookup).toBe(issued.lookupId);
    // 43 base62 characters are the fewest that can hold 32 bytes (62^42 < 2^256 < 62^43).
    expect(p.random.length).toBeGreaterThanOrEqual(43);
    expect(fromBase62(p.random)).toBeLessThan(2n ** 256n);
  });

  it('carry at least 32 random bytes: over 1,000 keys every one of the 256 secret bits is seen both set and clear', () => {
    // A generator with fewer random bits (Math.random, a 64-bit seed stretched out, a
    // counter) leaves some bit positions constant across many keys.
    let anySet = 0n;
    let allSet = 2n ** 256n - 1n;
    let lookupAnySet = 0n;
    let lookupAllSet = 2n ** 64n - 1n;
    for (let i = 0; i < 1000; i++) {
      const p = parts(issueCredential(kind).secret);
      const value = fromBase62(p.random);
      anySet |= value;
      allSet &= value;
      const lookup = fromBase62(p.lookup);
      lookupAnySet |= lookup;
      lookupAllSet &= lookup;
    }
    expect(anySet.toString(2)).toBe('1'.repeat(256));
    expect(allSet).toBe(0n);
    // The lookup id is random too (64 bits), so ids do not reveal how many keys exist.
    expect(lookupAnySet.toString(2)).toBe('1'.repeat(64));
    expect(lookupAllSet).toBe(0n);
  });

  it('parse back to their kind and lookup id', () => {
    const issued = issueCredential(kind);
    expect(parseCredential(issued.secret)).toEqual({ kind, lookupId: issued.lookupId });
  });

  it('end in a CRC32 checksum of everything before it, so secret scanners can verify them offline', () => {
    const issued = issueCredential(kind);
    const body = issued.secret.slice(4, -CHECKSUM_LENGTH);
    expect(withValidChecksum(kind, body)).toBe(issued.secret);
  });

  it('are rejected after any one-character change, at every position', () => {
    const { secret } = issueCredential(kind);
    const rejectedAt: number[] = [];
    // Every position after `ttk_`, each changed to three different characters.
    for (let i = 4; i < secret.length; i++) {
      for (const offset of [1, 26, 61]) {
        if (parseCredential(mutateAt(secret, i, offset)) === undefined) rejectedAt.push(i);
      }
    }
    expect(rejectedAt.length).toBe((secret.length - 4) * 3);
  });

  it('are rejected with a wrong, re-cased or swapped prefix', () => {
    const { secret } = issueCredential(kind);
    const body = secret.slice(4);
    const other = kind === 'ttk' ? 'ttp' : 'ttk';
    // The checksum covers the kind: relabelling a key as a token must not parse.
    expect(parseCredential(`${other}_${body}`)).toBeUndefined();
    expect(parseCredential(`${kind.toUpperCase()}_${body}`)).toBeUndefined();
    expect(parseCredential(`ghp_${body}`)).toBeUndefined();
    expect(parseCredential(`${kind}-${body}`)).toBeUndefined();
    expect(parseCredential(body)).toBeUndefined();
  });

  it('are rejected when truncated, extended or padded', () => {
    const { secret } = issueCredential(kind);
    expect(parseCredential(secret.slice(0, -1))).toBeUndefined();
    expect(parseCredential(secret.slice(0, 40))).toBeUndefined();
    expect(parseCredential(secret.slice(0, 4))).toBeUndefined();
    expect(parseCredential(secret.slice(0, 20) + secret.slice(21))).toBeUndefined();
    expect(parseCredential(`${secret}0`)).toBeUndefined();
    expect(parseCredential(` ${secret}`)).toBeUndefined();
    expect(parseCredential(`${secret}\n`)).toBeUndefined();
    expect(parseCredential('')).toBeUndefined();
  });

  it('show a prefix that is the start of the secret and holds none of its random part', () => {
    const issued = issueCredential(kind);
    expect(issued.prefix).toBe(`${kind}_${issued.lookupId}`);
    expect(issued.secret.startsWith(issued.prefix)).toBe(true);
    expect(issued.prefix.length).toBe(4 + LOOKUP_LENGTH);
  });

  it('are stored as the SHA-256 hex of the whole secret, which matches only that secret', () => {
    const issued = issueCredential(kind);
    expect(issued.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(issued.secretHash).toBe(sha256Hex(issued.secret));
    expect(hashCredential(issued.secret)).toBe(issued.secretHash);

    expect(credentialMatches(issued.secret, issued.secretHash)).toBe(true);
    expect(credentialMatches(issueCredential(kind).secret, issued.secretHash)).toBe(false);
    expect(credentialMatches(mutateAt(issued.secret, issued.secret.length - 10), issued.secretHash)).toBe(false);
    expect(credentialMatches(issued.prefix, issued.secretHash)).toBe(false);
    // A damaged stored hash is a mismatch, not a crash.
    expect(credentialMatches(issued.secret, '')).toBe(false);
    expect(credentialMatches(issued.secret, issued.secretHash.slice(0, 62))).toBe(false);
    expect(credentialMatches(issued.secret, 'not hex at all')).toBe(false);
  });

  it('are all distinct and all parse, over 1,000 issued', () => {
    const issued = Array.from({ length: 1000 }, () => issueCredential(kind));
    expect(new Set(issued.map((c) => c.secret)).size).toBe(1000);
    expect(new Set(issued.map((c) => c.lookupId)).size).toBe(1000);
    expect(new Set(issued.map((c) => c.secretHash)).size).toBe(1000);
    const unparsed = issued.filter((c) => parseCredential(c.secret)?.lookupId !== c.lookupId);
    expect(unparsed).toEqual([]);
  });
});

describe('credentials issued through the API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('an ingest key: ttk_ secret, its shown prefix starts it, only its SHA-256 is stored, and it authenticates', async () => {
    const { owner, projectId } = await t.projectWithKey();
    const res = await owner.gql(
      'mutation($p: ID!) { createApiKey(projectId: $p, name: "ci") { secret apiKey { id prefix } } }',
      { p: projectId },
    );
    expect(res.errors).toBeUndefined();
    const { secret, apiKey } = res.data.createApiKey as { secret: string; apiKey: { id: string; prefix: string } };
    expect(secret).toMatch(/^ttk_[0-9A-Za-z]+$/);
    expect(parseCredential(secret)?.kind).toBe('ttk');
    expect(secret.startsWith(apiKey.prefix)).toBe(true);
    expect(apiKey.prefix.length).toBeLessThan(secret.length - 43);

    const row = await t.app.deps.db.selectFrom('api_keys').selectAll().where('id', '=', apiKey.id).executeTakeFirstOrThrow();
    expect(row.secret_hash).toBe(sha256Hex(secret));
    expect(JSON.stringify(row)).not.toContain(secret.slice(4 + LOOKUP_LENGTH, -CHECKSUM_LENGTH));

    // The project's key list shows the same prefix, never the secret.
    const list = await owner.gql('query($p: ID!) { project(id: $p) { apiKeys { id prefix } } }', { p: projectId });
    expect(list.data.project.apiKeys).toContainEqual({ id: apiKey.id, prefix: apiKey.prefix });
    expect(JSON.stringify(list)).not.toContain(secret);

    const ingest = await new TestClient(t.app, secret).gql('mutation { ingest(spans: []) { accepted } }');
    expect(ingest.errors).toBeUndefined();
    expect(ingest.data.ingest.accepted).toBe(0);
  });

  it('a personal access token: ttp_ secret, its shown prefix starts it, only its SHA-256 is stored, and it acts as its user', async () => {
    const { client, userId } = await t.signUp();
    const res = await client.gql(
      'mutation { createPersonalAccessToken(name: "cli", readOnly: true) { secret token { id prefix } } }',
    );
    expect(res.errors).toBeUndefined();
    const { secret, token } = res.data.createPersonalAccessToken as { secret: string; token: { id: string; prefix: string } };
    expect(secret).toMatch(/^ttp_[0-9A-Za-z]+$/);
    expect(parseCredential(secret)?.kind).toBe('ttp');
    expect(secret.startsWith(token.prefix)).toBe(true);

    const row = await t.app.deps.db
      .selectFrom('personal_access_tokens')
      .selectAll()
      .where('id', '=', token.id)
      .executeTakeFirstOrThrow();
    expect(row.secret_hash).toBe(sha256Hex(secret));
    expect(JSON.stringify(row)).not.toContain(secret.slice(4 + LOOKUP_LENGTH, -CHECKSUM_LENGTH));

    const viewer = await new TestClient(t.app, secret).gql('{ viewer { id } }');
    expect(viewer.errors).toBeUndefined();
    expect(viewer.data.viewer.id).toBe(userId);
  });

  it('refuses a forged credential that reuses a real lookup id with a valid checksum but another secret', async () => {
    const { secret } = await t.projectWithKey();
    const p = parts(secret);
    const forgedRandom = mutateAt(p.random, 10);
    const forged = withValidChecksum('ttk', p.lookup + forgedRandom);
    // The forgery passes the offline checks, so only the stored hash can stop it.
    expect(parseCredential(forged)?.lookupId).toBe(p.lookup);

    const res = await new TestClient(t.app, forged).gql('mutation { ingest(spans: []) { accepted } }');
    expect(res.status).toBe(401);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a credential with a broken checksum before looking anything up', async () => {
    const { secret } = await t.projectWithKey();
    const broken = mutateAt(secret, secret.length - 1);
    t.queries.length = 0;
    const res = await new TestClient(t.app, broken).gql('mutation { ingest(spans: []) { accepted } }');
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(t.queries.filter((q) => /api_keys|personal_access_tokens/.test(q))).toEqual([]);
  });
});
