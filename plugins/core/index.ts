export { definePlugin } from './plugin';
export type {
  AppendOnlyFile,
  AuditEvent,
  AuditSink,
  CustomPatternEngine,
  CustomPatternSpec,
  LocalSecretFile,
  PluginEntry,
  PluginSetupContext,
  RedactContext,
  RedactionHit,
  RedactionProject,
  RedactionResult,
  Redactor,
  TokentracePlugin,
} from './plugin';
export { defineConfig } from './config';
export type { TokentraceConfig } from './config';
export { CodecError, identityCodec } from './codec';
export type { CodecContext, CodecFailure, CodecWorker, ContentCodec, ProjectKeyHooks, ProjectKeys, StoredProjectKey } from './codec';
export { createPluginTestkit, TestkitRedactionError } from './testkit';
export type { PluginTestkit, PluginTestkitOptions, TestkitSpan } from './testkit';
export { pluginProblem, isRedactionResult, PLUGIN_NAME } from './check-plugin';
// The one redaction engine (dependency-free; the SDK compiles it in too).
export { redactionPlaceholder } from './redaction/placeholder';
export { DEFAULT_PII_RULES } from './redaction/types';
export { redactSpanContent, SpanRedaction } from './redaction/redact-span-content';
export type { SpanContent, SpanRedactionOptions } from './redaction/redact-span-content';
export { ContentShapeError, MAX_DEPTH, RedactionTimeoutError, RedactorError } from './redaction/walk-json';
export { warmUpRedactors } from './warm-up';
