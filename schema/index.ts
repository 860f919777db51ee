import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
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
import './types/usage-facts';
import './types/trace-groups';
import './types/model-prices';
import './types/invitations';

builder.queryType({ description: 'Reads. An ingest key may call none of these.' });
builder.mutationType({});
builder.subscriptionType({});

export const schema: GraphQLSchema = builder.toSchema();

/** The printed SDL, sorted so the committed schema.graphql diff shows real changes only. */
export function printTokentraceSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
