export { useAudit } from './plugin';
export type { UseAuditOptions } from './plugin';
export { AUDIT_LINE_SOURCE, createJsonLinesSink, fileSink, formatAuditLine, streamSink } from './json-lines-sink';
