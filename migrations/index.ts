import type { Migration } from 'kysely';
import * as initialSchema from './20261129000000_initial_schema';
import * as seedModelPrices from './20261129000100_seed_model_prices';
import * as auditLogAppendOnly from './20261129000200_audit_log_append_only';
import * as oauthFlows from './20261129000300_oauth_flows';
import * as spanCompletionStartTime from './20261129000400_span_completion_start_time';
import * as spanTokenDetails from './20261202000100_span_token_details';
import * as projectDataKeys from './20261206000100_project_data_keys';
import * as spanContentRetention from './20261206000200_span_content_retention';
import * as contentAccessLog from './20261206000300_content_access_log';
import * as traceFindIndexes from './20261205000100_trace_find_indexes';
import * as customModelPrices from './20261205000200_custom_model_prices';
import * as projectInvitations from './20261205000300_project_invitations';
import * as usageRollups from './20261207000100_usage_rollups';
import * as spansInlineContent from './20261208000100_spans_inline_content';
import * as traceOpenParentLinks from './20261209000100_trace_open_parent_links';
import * as tracePendingParents from './20261210000100_trace_pending_parents';

// A static list rather than a folder scan, so migrations also run from a bundle.
// Names sort by their timestamp; add new ones at the end.
export const migrations: Record<string, Migration> = {
  '20261129000000_initial_schema': initialSchema,
  '20261129000100_seed_model_prices': seedModelPrices,
  '20261129000200_audit_log_append_only': auditLogAppendOnly,
  '20261129000300_oauth_flows': oauthFlows,
  '20261129000400_span_completion_start_time': spanCompletionStartTime,
  '20261202000100_span_token_details': spanTokenDetails,
  '20261206000100_project_data_keys': projectDataKeys,
  '20261206000200_span_content_retention': spanContentRetention,
  '20261206000300_content_access_log': contentAccessLog,
  '20261205000100_trace_find_indexes': traceFindIndexes,
  '20261205000200_custom_model_prices': customModelPrices,
  '20261205000300_project_invitations': projectInvitations,
  '20261207000100_usage_rollups': usageRollups,
  '20261208000100_spans_inline_content': spansInlineContent,
  '20261209000100_trace_open_parent_links': traceOpenParentLinks,
  '20261210000100_trace_pending_parents': tracePendingParents,
};
