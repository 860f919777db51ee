import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { RoleName } from '../model/roles';

// The app's view of the tables created in migrations/. Migrations never import this file.

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** pg returns int8 as a string, PGlite as a number or bigint: readers normalise with Number(). */
type BigIntColumn = ColumnType<string | number | bigint, number | undefined, number>;
type Json = ColumnType<unknown, string | undefined | null, string | null>;

export type { RoleName };

export interface UsersTable {
  id: Generated<string>;
  email: string;
  name: string | null;
  password_hash: string | null;
  email_verified_at: NullableTimestamp;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface OauthAccountsTable {
  id: Generated<string>;
  user_id: string;
  provider: string;
  provider_account_id: string;
  email: string | null;
  created_at: Generated<Date>;
}

/** One sign-in with GitHub or Google in progress (see migrations/20261129000300_oauth_flows.ts). */
export interface OauthFlowsTable {
  id: Generated<string>;
  state_hash: string;
  provider: string;
  code_verifier: string;
  nonce: string | null;
  mode: string;
  return_to: string;
  user_id: string | null;
  created_at: Generated<Date>;
  expires_at: Timestamp;
}

export interface SessionsTable {
  id: Generated<string>;
  user_id: string;
  token_hash: string;
  ip: string | null;
  user_agent: string | null;
  created_at: Generated<Date>;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
}

export interface ProjectsTable {
  id: Generated<string>;
  name: string;
  settings: Json;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ProjectMembersTable {
  project_id: string;
  user_id: string;
  role: RoleName;
  added_at: Generated<Date>;
}

export interface ApiKeysTable {
  id: Generated<string>;
  project_id: string;
  name: string;
  lookup_id: string;
  prefix: string;
  secret_hash: string;
  created_by: string | null;
  rotated_from_id: string | null;
  created_at: Generated<Date>;
  last_used_at: NullableTimestamp;
  expires_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface PersonalAccessTokensTable {
  id: Generated<string>;
  user_id: string;
  name: string;
  lookup_id: string;
  prefix: string;
  secret_hash: string;
  read_only: boolean;
  created_at: Generated<Date>;
  last_used_at: NullableTimestamp;
  expires_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface TracesTable {
  project_id: string;
  id: string;
  name: string | null;
  user_id: string | null;
  session_id: string | null;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  metadata: Json;
  start_time: Timestamp;
  end_time: NullableTimestamp;
  span_count: Generated<number>;
  error_count: Generated<number>;
  total_tokens: BigIntColumn;
  total_cost_usd: number | null;
  /** The parents the trace waits for are not known (trace_pending_parents): its next batch is rolled up in full. */
  pending_parents_unknown: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/**
 * The parents an open trace waits for: each id that spans of the trace name as parent but that is
 * not a span of the trace, with whether usage is reported at or below those spans. No row: the
 * trace waits for none, unless traces.pending_parents_unknown (trace-append-roll-up.ts).
 */
export interface TracePendingParentsTable {
  project_id: string;
  trace_id: string;
  parents: ColumnType<Record<string, boolean>, string, string>;
}

export interface SpansTable {
  project_id: string;
  id: string;
  trace_id: string;
  parent_id: string | null;
  kind: string;
  name: string;
  model: string | null;
  provider: string | null;
  input: Uint8Array | null;
  output: Uint8Array | null;
  metadata: Json;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  total_tokens: number | null;
  /** Parts of prompt_tokens read from / written to the provider's prompt cache. */
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
  /** The part of completion_tokens spent on reasoning. */
  reasoning_tokens: number | null;
  /** This span's usage is also reported by a span below it: totals count it there, not here. */
  usage_in_descendants: Generated<boolean>;
  cost_usd: number | null;
  start_time: Timestamp;
  end_time: NullableTimestamp;
  /** When a streamed generation produced its first token. */
  completion_start_time: NullableTimestamp;
  status: string;
  status_message: string | null;
  redactions: Json;
  /** When retention dropped input, output and statusMessage (metrics and cost stay). */
  content_removed_at: NullableTimestamp;
  /** Which price costed the span: 'builtin:<id>' or 'project:<uuid>' (server/prices/price-ref.ts). */
  price_ref: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** A project's data key, wrapped by the server's master key ring (envelope encryption). */
export interface ProjectDataKeysTable {
  project_id: string;
  id: string;
  /** 1 for the first key; the highest seals new content. */
  generation: number;
  wrapped: Uint8Array;
  created_at: Generated<Date>;
}

/** Work the server does once in the background (see migrations/20261206000100). */
export interface MaintenanceTasksTable {
  name: string;
  requested_at: Generated<Date>;
  done_at: NullableTimestamp;
  details: Json;
}

/** One reader's read of span content in one trace (projects with auditContentReads on). */
export interface ContentAccessLogTable {
  id: Generated<string>;
  project_id: string;
  at: Timestamp;
  actor_type: string;
  actor_id: string | null;
  actor_label: string | null;
  via: string;
  trace_id: string;
  span_ids: ColumnType<string[], string[], string[]>;
  ip: string | null;
  user_agent: string | null;
}

export interface AuditLogTable {
  id: ColumnType<string, never, never>;
  project_id: string | null;
  at: Generated<Date>;
  action: string;
  actor_type: string;
  actor_id: string | null;
  actor_label: string | null;
  target_type: string;
  target_id: string | null;
  ip: string | null;
  user_agent: string | null;
  details: Json;
  prev_hash: string | null;
  hash: string;
}

export interface ModelPricesTable {
  id: Generated<number>;
  provider: string;
  model: string;
  match_type: 'exact' | 'pattern';
  input_usd_per_million: number;
  output_usd_per_million: number;
  cached_input_usd_per_million: number | null;
  cache_write_usd_per_million: number | null;
  per_request_usd: number | null;
  /** Where the price was published. */
  source: string | null;
  effective_from: Timestamp;
  created_at: Generated<Date>;
}

/** A project's own price for a model name or pattern (migrations/20261205000200). Archived, never deleted. */
export interface ProjectModelPricesTable {
  id: Generated<string>;
  project_id: string;
  model: string;
  match_type: 'exact' | 'pattern';
  input_usd_per_million: number;
  cached_input_usd_per_million: number | null;
  cache_write_usd_per_million: number | null;
  output_usd_per_million: number;
  per_request_usd: number | null;
  effective_from: Timestamp;
  created_by: string | null;
  created_at: Generated<Date>;
  archived_at: NullableTimestamp;
  archived_by: string | null;
}

/** An invitation by e-mail (migrations/20261205000300): pending until accepted, revoked or expired. */
export interface ProjectInvitationsTable {
  id: Generated<string>;
  project_id: string;
  email: string;
  role: RoleName;
  token_hash: string;
  invited_by: string | null;
  created_at: Generated<Date>;
  expires_at: Timestamp;
  accepted_at: NullableTimestamp;
  accepted_by: string | null;
  revoked_at: NullableTimestamp;
  revoked_by: string | null;
}

export interface Database {
  users: UsersTable;
  oauth_accounts: OauthAccountsTable;
  oauth_flows: OauthFlowsTable;
  sessions: SessionsTable;
  projects: ProjectsTable;
  project_members: ProjectMembersTable;
  api_keys: ApiKeysTable;
  personal_access_tokens: PersonalAccessTokensTable;
  traces: TracesTable;
  trace_pending_parents: TracePendingParentsTable;
  spans: SpansTable;
  audit_log: AuditLogTable;
  model_prices: ModelPricesTable;
  project_data_keys: ProjectDataKeysTable;
  maintenance_tasks: MaintenanceTasksTable;
  content_access_log: ContentAccessLogTable;
  project_model_prices: ProjectModelPricesTable;
  project_invitations: ProjectInvitationsTable;
}

export type UserRow = Selectable<UsersTable>;
export type SessionRow = Selectable<SessionsTable>;
export type OauthAccountRow = Selectable<OauthAccountsTable>;
export type OauthFlowRow = Selectable<OauthFlowsTable>;
export type ProjectRow = Selectable<ProjectsTable>;
export type ProjectMemberRow = Selectable<ProjectMembersTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type PersonalAccessTokenRow = Selectable<PersonalAccessTokensTable>;
export type TraceRow = Selectable<TracesTable>;
export type SpanRow = Selectable<SpansTable>;
export type NewSpanRow = Insertable<SpansTable>;
export type ModelPriceRow = Selectable<ModelPricesTable>;
export type ProjectModelPriceRow = Selectable<ProjectModelPricesTable>;
export type ProjectInvitationRow = Selectable<ProjectInvitationsTable>;
export type ProjectUpdate = Updateable<ProjectsTable>;
export type ProjectDataKeyRow = Selectable<ProjectDataKeysTable>;
export type ContentAccessLogRow = Selectable<ContentAccessLogTable>;
