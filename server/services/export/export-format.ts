import { stringify } from 'csv-stringify/sync';
import type { ExportFormat } from './export-params';

// One exported span: its own fields and its trace's, flat, the same in both formats. Content
// is the value, "hidden" (the caller's role may not read it), or null with contentStatus
// REMOVED_BY_RETENTION; contentError names why a stored value could not be read. statusMessage,
// metadata and traceMetadata follow the same rule as content: "hidden" for a caller who may not
// read content (a VIEWER of an ADMINS_ONLY project), as the API returns null for them.

export interface ExportRecord {
  traceId: string;
  traceName: string | null;
  userId: string | null;
  sessionId: string | null;
  tags: string[];
  traceMetadata: unknown;
  traceStartTime: string;
  spanId: string;
  parentId: string | null;
  kind: string;
  name: string;
  model: string | null;
  provider: string | null;
  status: string;
  statusMessage: string | null;
  startTime: string;
  endTime: string | null;
  latencyMs: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
  totalTokens: number | null;
  costUsd: number | null;
  /** Parts of promptTokens read from / written to the provider's prompt cache. */
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  /** Part of completionTokens spent on reasoning. */
  reasoningTokens: number | null;
  metadata: unknown;
  contentStatus: 'AVAILABLE' | 'HIDDEN' | 'REMOVED_BY_RETENTION';
  input: unknown;
  output: unknown;
  contentError: string | null;
}

export const EXPORT_COLUMNS: readonly (keyof ExportRecord)[] = [
  'traceId', 'traceName', 'userId', 'sessionId', 'tags', 'traceMetadata', 'traceStartTime',
  'spanId', 'parentId', 'kind', 'name', 'model', 'provider', 'status', 'statusMessage',
  'startTime', 'endTime', 'latencyMs', 'promptTokens', 'completionTokens', 'totalTokens', 'costUsd',
  'cacheReadTokens', 'cacheWriteTokens', 'reasoningTokens', 'metadata', 'contentStatus', 'input', 'output', 'contentError',
];

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  jsonl: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

/** The text that starts the file: the CSV header row (JSON lines have none). */
export function exportPreamble(format: ExportFormat): string {
  return format === 'csv' ? stringify([EXPORT_COLUMNS as string[]]) : '';
}

function csvCell(value: unknown): string | number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** Records as text: one JSON object per line, or CSV rows (RFC 4180; cells that a spreadsheet would run as a formula are prefixed with '). */
export function formatRecords(format: ExportFormat, records: ExportRecord[]): string {
  if (format === 'jsonl') {
    let out = '';
    for (const r of records) out += `${JSON.stringify(r)}\n`;
    return out;
  }
  return stringify(
    records.map((r) => EXPORT_COLUMNS.map((c) => csvCell(r[c]))),
    { escape_formulas: true },
  );
}
