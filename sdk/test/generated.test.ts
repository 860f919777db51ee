import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildSchema, type GraphQLEnumType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { renderSdkCodegen } from '../codegen/sdk-codegen.js';
import { IngestDocument } from '../src/generated/graphql.js';
import { SDK_VERSION } from '../src/version.js';

// The SDK's documents and input types are generated from the printed schema. When the schema
// or operations.graphql changes without `npm run codegen`, this fails.

const ROOT = join(import.meta.dirname, '../..');

describe('generated code', () => {
  it('is what codegen produces from schema/schema.graphql today', async () => {
    const files = await renderSdkCodegen();
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const onDisk = await readFile(join(ROOT, file.filename), 'utf8');
      expect(onDisk, `${file.filename} is stale: run \`npm run codegen\``).toBe(file.content);
    }
  }, 60_000);

  it('imports nothing: the published SDK needs no GraphQL package', async () => {
    const text = await readFile(join(ROOT, 'sdk/src/generated/graphql.ts'), 'utf8');
    expect(text).not.toMatch(/^\s*import /m);
    expect(IngestDocument).toMatch(/^mutation Ingest\(\$spans: \[SpanInput!\]!\)/);
  });

  it('keeps SpanKind and SpanStatus as the schema has them (SpanInput types them as String)', async () => {
    const schema = buildSchema(await readFile(join(ROOT, 'schema/schema.graphql'), 'utf8'));
    const types = await readFile(join(ROOT, 'sdk/src/tracing/types.ts'), 'utf8');
    const union = (name: string) => [...(new RegExp(`export type ${name} = ([^;]+);`).exec(types)?.[1] ?? '').matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]).sort();
    const values = (name: string) => (schema.getType(name) as GraphQLEnumType).getValues().map((v) => v.name).sort();
    expect(union('SpanKind')).toEqual(values('SpanKind'));
    expect(union('SpanStatus')).toEqual(values('SpanStatus'));
  });

  it('User-Agent version matches package.json', async () => {
    const manifest = JSON.parse(await readFile(join(ROOT, 'sdk/package.json'), 'utf8'));
    expect(SDK_VERSION).toBe(manifest.version);
    expect(manifest.dependencies).toBeUndefined();
  });
});
