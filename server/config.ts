import { z } from 'zod';
import { KeyRingError, parseKeyRing } from '../plugins/encryption/index';
import { blankAsUnset, DATA_DIR_MESSAGE, dataDirOf, DATABASE_URL_MESSAGE, databaseUrlOf } from './config-early';

// Every setting comes from the environment (a `.env` file is read by the CLI first). A wrong
// value stops the start with a message that names the variable.

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

// `PORT=` in a .env file means "not set", as for the string settings below; without this,
// z.coerce turns '' into 0 (PORT=0 silently listens on a random port).
const emptyAsUnset = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const number = <T extends z.ZodType>(schema: T) => z.preprocess(emptyAsUnset, schema);

const optionalString = z.string().optional().transform(blankAsUnset);

/**
 * A setting read by one of config-early.ts's functions (null: refused, with `message`): the start's
 * warm-up reads it before this schema loads, by the same rule.
 */
const readBy = <T>(read: (value: string | undefined) => T | null, message: string) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      const result = read(value);
      if (result !== null) return result;
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    });

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: number(z.coerce.number().int().min(0).max(65535).default(4000)),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: readBy(databaseUrlOf, DATABASE_URL_MESSAGE),
  TOKENTRACE_DATA_DIR: readBy(dataDirOf, DATA_DIR_MESSAGE),
  TOKENTRACE_PUBLIC_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:4000'),
  TOKENTRACE_TLS_CERT: optionalString,
  TOKENTRACE_TLS_KEY: optionalString,
  TOKENTRACE_CONFIG: optionalString,
  TOKENTRACE_ENCRYPTION_KEYS: optionalString,
  TOKENTRACE_AUDIT_KEYS: optionalString,
  TRUST_PROXY: bool.default(false),
  TOKENTRACE_PG_PREPARE: bool.default(true),
  REDIS_URL: optionalString,
  TOKENTRACE_WORKERS: number(z.coerce.number().int().min(1).max(256).optional()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TOKENTRACE_BCRYPT_COST: number(z.coerce.number().int().min(4).max(15).optional()),
  TOKENTRACE_SESSION_IDLE_DAYS: number(z.coerce.number().positive().default(14)),
  TOKENTRACE_SESSION_MAX_DAYS: number(z.coerce.number().positive().default(30)),
  TOKENTRACE_INGEST_MAX_SPANS: number(z.coerce.number().int().positive().default(1000)),
  TOKENTRACE_MAX_BODY_BYTES: number(z.coerce.number().int().positive().default(10 * 1024 * 1024)),
  TOKENTRACE_INGEST_SPANS_PER_MINUTE: number(z.coerce.number().int().min(0).default(0)),
  TOKENTRACE_REDACTION_BUDGET_MS: number(z.coerce.number().positive().max(60_000).default(200)),
  TOKENTRACE_REDACTION_BATCH_BUDGET_MS: number(z.coerce.number().positive().max(600_000).default(2000)),
  TOKENTRACE_SIGNIN_MAX_FAILURES_PER_EMAIL: number(z.coerce.number().int().positive().default(5)),
  TOKENTRACE_SIGNIN_MAX_FAILURES_PER_IP: number(z.coerce.number().int().positive().default(30)),
  TOKENTRACE_SIGNUP_MAX_PER_IP: number(z.coerce.number().int().positive().default(10)),
  TOKENTRACE_TLS_TERMINATED_BY_PROXY: bool.default(false),
  TOKENTRACE_SECURITY_CONTACT: optionalString,
  TOKENTRACE_MAINTENANCE_INTERVAL_MINUTES: number(z.coerce.number().min(0).max(24 * 60).default(10)),
  TOKENTRACE_ACCESS_LOG_DAYS: number(z.coerce.number().int().min(1).max(36_500).default(90)),
  TOKENTRACE_EXPORTS_PER_INSTANCE: number(z.coerce.number().int().min(1).max(100).default(2)),
  TOKENTRACE_SKIP_DASHBOARD_BUILD: bool.default(false),
  TOKENTRACE_METRICS_TOKEN: optionalString.refine((v) => v === undefined || v.length >= 16, {
    message: 'must be at least 16 characters (e.g. openssl rand -hex 32)',
  }),
  GITHUB_CLIENT_ID: optionalString,
  GITHUB_CLIENT_SECRET: optionalString,
  GITHUB_BASE_URL: z.preprocess(emptyAsUnset, z.url({ protocol: /^https?$/ }).default('https://github.com')),
  GOOGLE_CLIENT_ID: optionalString,
  GOOGLE_CLIENT_SECRET: optionalString,
  GOOGLE_ISSUER: z.preprocess(emptyAsUnset, z.url({ protocol: /^https?$/ }).default('https://accounts.google.com')),
});

/** Every environment variable the server reads (README table and .env.example list the same; a test checks). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

export interface GitHubOAuthConfig {
  clientId: string;
  clientSecret: string;
  /** The web address: github.com or a GitHub Enterprise Server, e.g. https://github.example.com. */
  baseUrl: string;
  /** The REST API: https://api.github.com for github.com, `<base>/api/v3` for Enterprise Server. */
  apiBaseUrl: string;
}

export interface GoogleOAuthConfig {
  clientId: string;
  clientSecret: string;
  /** Any OpenID Connect issuer; its discovery document is read from here. */
  issuer: string;
}

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  publicUrl: string;
  tls: { certFile: string; keyFile: string } | undefined;
  configFile: string | undefined;
  encryptionKeys: string | undefined;
  /** `kid:base64key,…`: signs the audit chain (server/services/audit-keys.ts); validated here. */
  auditKeys: string | undefined;
  trustProxy: boolean;
  /** Prepare ingest's repeated statements on Postgres; off behind a transaction-mode pooler. */
  pgPrepare: boolean;
  redisUrl: string | undefined;
  /** Server processes on Postgres (server/cluster); unset: one per available core. PGlite always runs one. */
  workers: number | undefined;
  logLevel: string;
  /** bcrypt work factor: 12 unless set (tests use 4). */
  bcryptCost: number;
  /** A session unused this long expires; each use extends it. */
  sessionIdleMs: number;
  /** A session ends this long after sign-in, however often it is used. */
  sessionMaxAgeMs: number;
  /**
   * maxBodyBytes bounds a request body as it streams in, and again after gzip is undone (OTLP);
   * spansPerMinute is a per-project budget shared by both ingest doors, 0 for none.
   */
  ingest: { maxSpans: number; maxBodyBytes: number; spansPerMinute: number };
  /** Time one span's redaction may take; past it the span is rejected, never stored unredacted. */
  redactionBudgetMs: number;
  /**
   * Time one request's redaction may take in all. Redaction runs on the event loop, so without a
   * cap a slow rule times a large batch would stall every other request; spans past it are rejected.
   */
  redactionBatchBudgetMs: number;
  signInLimits: { perEmail: number; perIp: number; windowSeconds: number };
  /** Sign-ups (successful or not) per IP in the same window as the sign-in limits. */
  signUpsPerIp: number;
  /** A proxy in front terminates TLS: plain HTTP is allowed in production, X-Forwarded-Proto is trusted. */
  tlsTerminatedByProxy: boolean;
  /** Where vulnerability reports go (SECURITY.md, /.well-known/security.txt). */
  securityContact: string | undefined;
  /**
   * Bearer token for GET /metrics. Unset: /metrics answers only on a loopback-bound server to
   * loopback callers that did not come through a proxy; everywhere else it is off.
   */
  metricsToken: string | undefined;
  /** Start without building client/dist even when it is missing or stale (images ship it built). */
  skipDashboardBuild: boolean;
  /** Only the providers whose client id and secret are both set. */
  oauth: { github?: GitHubOAuthConfig; google?: GoogleOAuthConfig };
  /**
   * How often a server runs its maintenance (retention, access-log pruning, the one-time
   * envelope migration); one server at a time across instances. 0 turns it off.
   */
  maintenanceIntervalMs: number;
  /** Content access log entries older than this are pruned. */
  accessLogRetentionDays: number;
  /** Streaming exports one server runs at once; more are refused with RATE_LIMITED. */
  exportsPerInstance: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (Boolean(e.TOKENTRACE_TLS_CERT) !== Boolean(e.TOKENTRACE_TLS_KEY)) {
    throw new ConfigError(
      'Invalid configuration:\n  TOKENTRACE_TLS_CERT and TOKENTRACE_TLS_KEY must be set together',
    );
  }
  const pair = (id: string | undefined, secret: string | undefined, name: string) => {
    if (Boolean(id) !== Boolean(secret)) {
      throw new ConfigError(`Invalid configuration:\n  ${name}_CLIENT_ID and ${name}_CLIENT_SECRET must be set together`);
    }
    return id && secret ? { clientId: id, clientSecret: secret } : undefined;
  };
  if (e.TOKENTRACE_INGEST_SPANS_PER_MINUTE > 0 && e.TOKENTRACE_INGEST_SPANS_PER_MINUTE < e.TOKENTRACE_INGEST_MAX_SPANS) {
    // A full request must fit in the budget, or it could never be sent.
    throw new ConfigError(
      'Invalid configuration:\n  TOKENTRACE_INGEST_SPANS_PER_MINUTE must be 0 (no limit) or at least TOKENTRACE_INGEST_MAX_SPANS',
    );
  }
  if (e.TOKENTRACE_AUDIT_KEYS !== undefined) checkAuditKeys(e.TOKENTRACE_AUDIT_KEYS);
  const github = pair(e.GITHUB_CLIENT_ID, e.GITHUB_CLIENT_SECRET, 'GITHUB');
  const google = pair(e.GOOGLE_CLIENT_ID, e.GOOGLE_CLIENT_SECRET, 'GOOGLE');
  const githubBase = e.GITHUB_BASE_URL.replace(/\/+$/, '');
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.TOKENTRACE_DATA_DIR,
    publicUrl: e.TOKENTRACE_PUBLIC_URL.replace(/\/+$/, ''),
    tls:
      e.TOKENTRACE_TLS_CERT && e.TOKENTRACE_TLS_KEY
        ? { certFile: e.TOKENTRACE_TLS_CERT, keyFile: e.TOKENTRACE_TLS_KEY }
        : undefined,
    configFile: e.TOKENTRACE_CONFIG,
    encryptionKeys: e.TOKENTRACE_ENCRYPTION_KEYS,
    auditKeys: e.TOKENTRACE_AUDIT_KEYS,
    trustProxy: e.TRUST_PROXY,
    pgPrepare: e.TOKENTRACE_PG_PREPARE,
    redisUrl: e.REDIS_URL,
    workers: e.TOKENTRACE_WORKERS,
    logLevel: e.LOG_LEVEL,
    bcryptCost: e.TOKENTRACE_BCRYPT_COST ?? (e.NODE_ENV === 'test' ? 4 : 12),
    sessionIdleMs: e.TOKENTRACE_SESSION_IDLE_DAYS * 24 * 3600 * 1000,
    sessionMaxAgeMs: e.TOKENTRACE_SESSION_MAX_DAYS * 24 * 3600 * 1000,
    ingest: {
      maxSpans: e.TOKENTRACE_INGEST_MAX_SPANS,
      maxBodyBytes: e.TOKENTRACE_MAX_BODY_BYTES,
      spansPerMinute: e.TOKENTRACE_INGEST_SPANS_PER_MINUTE,
    },
    redactionBudgetMs: e.TOKENTRACE_REDACTION_BUDGET_MS,
    redactionBatchBudgetMs: e.TOKENTRACE_REDACTION_BATCH_BUDGET_MS,
    signInLimits: {
      perEmail: e.TOKENTRACE_SIGNIN_MAX_FAILURES_PER_EMAIL,
      perIp: e.TOKENTRACE_SIGNIN_MAX_FAILURES_PER_IP,
      windowSeconds: 15 * 60,
    },
    signUpsPerIp: e.TOKENTRACE_SIGNUP_MAX_PER_IP,
    tlsTerminatedByProxy: e.TOKENTRACE_TLS_TERMINATED_BY_PROXY,
    securityContact: e.TOKENTRACE_SECURITY_CONTACT,
    maintenanceIntervalMs: e.TOKENTRACE_MAINTENANCE_INTERVAL_MINUTES * 60_000,
    accessLogRetentionDays: e.TOKENTRACE_ACCESS_LOG_DAYS,
    exportsPerInstance: e.TOKENTRACE_EXPORTS_PER_INSTANCE,
    metricsToken: e.TOKENTRACE_METRICS_TOKEN,
    skipDashboardBuild: e.TOKENTRACE_SKIP_DASHBOARD_BUILD,
    oauth: {
      ...(github ? { github: { ...github, baseUrl: githubBase, apiBaseUrl: githubApiBase(githubBase) } } : {}),
      // Kept as written: the discovery document's `issuer` must match it exactly (some end in /).
      ...(google ? { google: { ...google, issuer: e.GOOGLE_ISSUER } } : {}),
    },
  };
}

/** The audit signing key ring must parse; the message names the variable, never key material. */
function checkAuditKeys(text: string): void {
  try {
    parseKeyRing(text, 'TOKENTRACE_AUDIT_KEYS');
  } catch (err) {
    if (err instanceof KeyRingError) throw new ConfigError(`Invalid configuration:\n  ${err.message}`);
    throw err;
  }
}

/** github.com's API lives on its own host; GitHub Enterprise Server serves it under /api/v3. */
export function githubApiBase(baseUrl: string): string {
  const url = new URL(baseUrl);
  if (url.hostname === 'github.com' || url.hostname === 'www.github.com') return 'https://api.github.com';
  return `${baseUrl.replace(/\/+$/, '')}/api/v3`;
}
