import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertNextProjectDataKey } from '../db/repositories/project-data-keys';
import { createTestApp, type TestApp } from '../testing/test-app';
import { encodeContent, readProjectContent } from './content';
import { createProjectKeyStore } from './project-keys';

// The server's cache of opened data keys, as two servers over one database see it: a server
// that has not seen a project's new data key yet reloads once when it meets a value under it,
// and a project without a stored key gets one on first use.

describe('project key store', () => {
  let t: TestApp;
  let projectId: string;

  beforeAll(async () => {
    t = await createTestApp();
    projectId = (await t.projectWithKey()).projectId;
  });
  afterAll(() => t.close());

  it('a server reloads a project’s keys when it meets a value under a key it has not loaded yet', async () => {
    const { db, codec } = t.app.deps;
    const here = createProjectKeyStore(db, codec);
    const elsewhere = createProjectKeyStore(db, codec);
    const first = await here.forProject(projectId);
    expect(first!.keyIds).toHaveLength(1);
    // Another server rotates the project's data key and seals a value with the new one.
    await insertNextProjectDataKey(db, projectId, codec.projectKeys!.create(projectId));
    const place = { projectId, table: 'spans', rowId: 'r1', column: 'input' };
    const keys = await elsewhere.forProject(projectId);
    const sealed = encodeContent(codec, { fresh: true }, { ...place, keys })!;
    // Cached here: the set lacks the new key, so the read reloads and succeeds.
    expect((await here.forProject(projectId))!.keyIds).toHaveLength(1);
    expect(await readProjectContent(codec, here, sealed, place)).toEqual({ ok: true, value: { fresh: true } });
    expect((await here.forProject(projectId))!.keyIds).toHaveLength(2);
  });

  it('gives a project created without a key (before envelope encryption) its first key on use', async () => {
    const { db, codec } = t.app.deps;
    const bare = await db.insertInto('projects').values({ name: 'old project', settings: '{}' }).returning('id').executeTakeFirstOrThrow();
    expect(await db.selectFrom('project_data_keys').select('id').where('project_id', '=', bare.id).execute()).toEqual([]);
    const store = createProjectKeyStore(db, codec);
    const [a, b] = await Promise.all([store.forProject(bare.id), createProjectKeyStore(db, codec).forProject(bare.id)]);
    // Two servers racing for the first key agree on one.
    expect(a!.currentKeyId).toBe(b!.currentKeyId);
    expect(await db.selectFrom('project_data_keys').select('id').where('project_id', '=', bare.id).execute()).toHaveLength(1);
  });
});
