import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { guardArguments } from './argument-guard';
import { builder } from './builder';
import './types/enums';
import './types/page-info';
import './types/user';
import './types/personal-access-token';
import './types/auth';
import './types/session';
import './types/project';
import './types/api-key';
import './types/span';
import './types/trace';
import './types/ingest';
import './types/subscription';
import './types/audit';
import './types/audit-labels';
import './types/usage';
import './types/erasure';
import './types/content-access-log';
import './types/usage-facts';
import './types/trace-groups';
import './types/model-prices';
import './types/invitations';

builder.queryType({ description: 'Reads. An ingest key may call none of these.' });
builder.mutationType({});
builder.subscriptionType({});

// Every argument passes the argument guard before its field's rules and resolver run.
export const schema: GraphQLSchema = guardArguments(builder.toSchema());

/** The printed SDL, sorted so the committed schema.graphql diff shows real changes only. */
export function printTokentraceSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
