import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { ContentCodec } from '../plugins/core/index';
import type { KeyRing } from '../plugins/encryption/index';
import type { Principal } from './auth/principal';
import type { SignInLimiter } from './auth/sign-in-limiter';
import type { Config } from './config';
import type { Database, RoleName } from './db/tables';
import type { Metrics } from './metrics/metrics';
import type { LoadedPlugins } from './plugins/load-plugins';
import type { PriceBook } from './prices/price-book';
import type { IngestRateLimiter } from './services/ingest/ingest-rate-limiter';
import type { ProjectSettings } from './services/models';
import type { SpanPubSub } from './services/span-pubsub';
import type { ProjectKeyStore } from './storage/project-keys';
import type { EncodePool } from './services/ingest/encode-pool';
import type { OtlpReadPool } from './services/ingest/otlp/otlp-read-pool';
import type { AccessLogWriter } from './services/access-log/access-log-writer';
import type { RequestMemo } from './request-memo';

/** Everything long-lived that services need; built once by the composition root. */
export interface AppDeps {
  config: Config;
  db: Kysely<Database>;
  /** Which database: embedded PGlite allows one connection, so some work is shaped differently. */
  dbDialect: 'postgres' | 'pglite';
  logger: Logger;
  codec: ContentCodec;
  /** Each project's opened data keys, for the codec (envelope encryption). */
  projectKeys: ProjectKeyStore;
  /** Ingest's encode stage in the codec's worker thread, when the codec has one (encode-pool.ts). */
  encodePool?: EncodePool;
  /** The OTLP door's decode, map and validate of a large body in a worker thread (otlp-read-pool.ts). */
  otlpReadPool?: OtlpReadPool;
  /** Batched writes of the content access log (projects with auditContentReads on). */
  accessLog: AccessLogWriter;
  plugins: LoadedPlugins;
  prices: PriceBook;
  signInLimiter: SignInLimiter;
  /** Spans per minute per project, for both ingest doors. */
  ingestLimiter: IngestRateLimiter;
  /** Signs and verifies the audit chain (server/services/audit-keys.ts). */
  auditKeys: KeyRing;
  pubsub: SpanPubSub;
  /** Counters, histograms and gauges served at GET /metrics. */
  metrics: Metrics;
  /** Set with REDIS_URL: state shared by several instances (rate limits) lives here. */
  redis?: Redis;
}

export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
  /** Served over TLS (directly, or by a trusted proxy): cookies get `Secure`. */
  secure: boolean;
}

/** The GraphQL context: one per request. */
export interface RequestContext {
  deps: AppDeps;
  principal: Principal;
  /** The user acting in this request: the principal's, or the one who just signed in or up. */
  actingUserId(): string | null;
  /** Called by sign-in and sign-up, so the response may show the new user their own data. */
  setSignedInUser(userId: string): void;
  meta: RequestMeta;
  /** The caller's role in a project, memoised for the request; null when not a member. */
  roleIn(projectId: string): Promise<RoleName | null>;
  /** A project's settings, memoised for the request; null when the project does not exist. */
  projectSettings(projectId: string): Promise<ProjectSettings | null>;
  /** True when the caller is ADMIN+ of a project that `userId` belongs to. */
  isAdminOfUser(userId: string): Promise<boolean>;
  /** Queue a Set-Cookie header for the response. */
  setCookie(header: string): void;
  /** What this request remembers, read and written through typed slots (server/request-memo.ts). */
  memo: RequestMemo;
}
