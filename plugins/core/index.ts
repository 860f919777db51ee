export { definePlugin } from './plugin';
export type {
  AuditEvent,
  AuditSink,
  PluginEntry,
  PluginSetupContext,
  RedactContext,
  RedactionResult,
  Redactor,
  TokentracePlugin,
} from './plugin';
export { defineConfig } from './config';
export type { TokentraceConfig } from './config';
export { CodecError, identityCodec } from './codec';
export type { CodecContext, CodecFailure, ContentCodec, ProjectKeyHooks, ProjectKeys, StoredProjectKey } from './codec';
export { createPluginTestkit, TestkitRedactionError } from './testkit';
export type { PluginTestkit, PluginTestkitOptions, RedactionHit, TestkitSpan } from './testkit';
export { pluginProblem, PLUGIN_NAME } from './check-plugin';
