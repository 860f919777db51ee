import type { RoleName } from '../db/tables';

// The shapes services hand to the schema. Rows are mapped once, here, so the schema never
// sees snake_case or database quirks (int8 as string, bytea content).

export type SpanKindName = 'SPAN' | 'GENERATION' | 'EVENT' | 'TOOL' | 'RETRIEVAL' | 'AGENT' | 'EMBEDDING';
export const SPAN_KINDS: readonly SpanKindName[] = ['SPAN', 'GENERATION', 'EVENT', 'TOOL', 'RETRIEVAL', 'AGENT', 'EMBEDDING'];
export type SpanStatusName = 'OK' | 'ERROR';
export const SPAN_STATUSES: readonly SpanStatusName[] = ['OK', 'ERROR'];
export type ContentVisibility = 'MEMBERS' | 'ADMINS_ONLY';

export interface RedactionPattern {
  name: string;
  pattern: string;
}

/** How long a project keeps its data, in days from the span's (or trace's) start; null keeps it forever. */
export interface RetentionSettings {
  /** Past this, a span's input, output and statusMessage are dropped; metrics and cost stay. */
  contentDays: number | null;
  /** Past this, whole traces and their spans are deleted. */
  traceDays: number | null;
}

export interface ProjectSettings {
  piiRedaction: boolean;
  redactInputs: boolean;
  redactOutputs: boolean;
  contentVisibility: ContentVisibility;
  customPatterns: RedactionPattern[];
  retention: RetentionSettings;
  /** Record every read of span content (API and export) in the content access log. */
  auditContentReads: boolean;
  /** The built-in PII rules that run when `piiRedaction` is on (`email`, `phone`, … `ssn`). */
  piiRules: string[];
}

export const defaultProjectSettings: ProjectSettings = {
  piiRedaction: false,
  redactInputs: false,
  redactOutputs: false,
  contentVisibility: 'MEMBERS',
  customPatterns: [],
  retention: { contentDays: null, traceDays: null },
  auditContentReads: false,
  piiRules: ['secret', 'email', 'card', 'phone'],
};

/** A change to settings: what is left out stays; inside `retention`, an explicit null means "forever". */
export type ProjectSettingsPatch = Partial<Omit<ProjectSettings, 'retention'>> & { retention?: Partial<RetentionSettings> | null };

export interface ProjectModel {
  id: string;
  name: string;
  settings: ProjectSettings;
  createdAt: Date;
}

export interface UserModel {
  id: string;
  email: string;
  name: string | null;
}

export interface ProjectMemberModel {
  projectId: string;
  userId: string;
  role: RoleName;
  addedAt: Date;
}

export interface ApiKeyModel {
  id: string;
  projectId: string;
  name: string;
  prefix: string;
  createdAt: Date;
  createdById: string | null;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export interface PersonalAccessTokenModel {
  id: string;
  userId: string;
  name: string;
  prefix: string;
  readOnly: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export interface RedactionHit {
  rule: string;
  count: number;
}

export interface SpanModel {
  projectId: string;
  id: string;
  traceId: string;
  parentId: string | null;
  kind: SpanKindName;
  name: string;
  model: string | null;
  provider: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  totalTokens: number | null;
  /** Parts of promptTokens read from / written to the provider's prompt cache. */
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  /** The part of completionTokens spent on reasoning. */
  reasoningTokens: number | null;
  costUsd: number | null;
  /** Which price gave costUsd ('builtin:<id>' or 'project:<uuid>'), when ingest just priced the span. */
  priceRef?: string | null;
  startTime: Date;
  endTime: Date | null;
  completionStartTime: Date | null;
  status: SpanStatusName;
  statusMessage: string | null;
  metadata: unknown;
  redactions: RedactionHit[];
  /** When retention dropped this span's input, output and statusMessage; null while they are kept. */
  contentRemovedAt?: Date | null;
  /** Present when content was loaded (or just ingested); otherwise loaded on demand. */
  content?: { input: unknown; output: unknown };
}

export interface TraceModel {
  projectId: string;
  id: string;
  name: string | null;
  userId: string | null;
  sessionId: string | null;
  tags: string[];
  metadata: unknown;
  startTime: Date;
  endTime: Date | null;
  spanCount: number;
  errorCount: number;
  totalTokens: number;
  totalCostUsd: number | null;
}

export const roleRank: Record<RoleName, number> = { VIEWER: 1, ADMIN: 2, OWNER: 3 };

export function hasRole(actual: RoleName | null, needed: RoleName): boolean {
  return actual !== null && roleRank[actual] >= roleRank[needed];
}
