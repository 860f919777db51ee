import type { Migration } from 'kysely';
import * as initialSchema from './20261129000000_initial_schema';
import * as seedModelPrices from './20261129000100_seed_model_prices';
import * as auditLogAppendOnly from './20261129000200_audit_log_append_only';

// A static list rather than a folder scan, so migrations also run from a bundle.
// Names sort by their timestamp; add new ones at the end.
export const migrations: Record<string, Migration> = {
  '20261129000000_initial_schema': initialSchema,
  '20261129000100_seed_model_prices': seedModelPrices,
  '20261129000200_audit_log_append_only': auditLogAppendOnly,
};
