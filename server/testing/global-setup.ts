import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { writeMemoryTemplate } from './memory-template';

// With TEST_DATABASE_URL (a server URL whose user may create databases), every run gets a
// database of its own, migrated once by the first test app, and dropped afterwards.
// Without it (embedded PGlite), every test app gets an in-memory database of its own, started
// from one migrated dump made here (server/testing/memory-template.ts).

let adminUrl: string | undefined;
let dbName: string | undefined;
let template: Awaited<ReturnType<typeof writeMemoryTemplate>> | undefined;

export async function setup(project: TestProject): Promise<void> {
  adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    template = await writeMemoryTemplate();
    project.provide('memoryTemplatePath', template.path);
    return;
  }
  dbName = `tokentrace_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`create database ${dbName}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  project.provide('testDatabaseUrl', url.toString());
}

export async function teardown(): Promise<void> {
  await template?.remove();
  if (!adminUrl || !dbName) return;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`drop database if exists ${dbName} with (force)`);
  } finally {
    await client.end();
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabaseUrl: string | undefined;
    /** Embedded pass: the migrated database every in-memory test app starts from. */
    memoryTemplatePath: string | undefined;
  }
}
