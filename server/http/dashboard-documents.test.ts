import { print, type DocumentNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as generated from '../../client/src/lib/generated/graphql';
import { createTestApp, type TestApp, type TestClient } from '../testing/test-app';

// Every operation the dashboard sends must pass the server's request limits (graphql-armor:
// depth, cost, aliases, tokens): a page whose query is refused is a blank page in production.
// Found the hard way: a session view that loaded a page of traces with their spans in one query
// was over the cost limit.

const ARMOR = /Query Cost limit|Query depth limit|Aliases limit|Token limit|Directives limit/i;

const documents = Object.entries(generated).filter(
  (entry): entry is [string, DocumentNode] => entry[0].endsWith('Document') && (entry[1] as { kind?: string })?.kind === 'Document',
);

describe('the dashboard’s operations and the request limits', () => {
  let t: TestApp;
  let owner: TestClient;
  beforeAll(async () => {
    t = await createTestApp();
    owner = (await t.signUp('Limits')).client;
  });
  afterAll(() => t.close());

  it('finds the dashboard’s operations', () => {
    expect(documents.length).toBeGreaterThan(30);
  });

  it.each(documents.filter(([, d]) => d.definitions.some((x) => x.kind === 'OperationDefinition' && x.operation !== 'subscription')))(
    '%s is within the limits',
    async (_name, document) => {
      // Variables are left out: coercion fails later than the limits, which run at validation.
      const res = await owner.gql(print(document));
      const refused = (res.errors ?? []).filter((e) => ARMOR.test(e.message));
      expect(refused.map((e) => e.message)).toEqual([]);
    },
  );
});
