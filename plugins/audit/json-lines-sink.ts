import type { AppendOnlyFile, AuditEvent, AuditSink } from '../core/index';

// Audit events as JSON lines, one event per line, the format SIEM shippers (Filebeat, Vector,
// Fluent Bit, the Splunk forwarder) tail without configuration. Each line carries the entry's
// signed link (`hash`) and its predecessor's (`prevHash`): a signed checkpoint of its chain.
// Kept outside the database, the newest line shows whether the newest entries were later
// removed there (`npm run audit:verify -- <chain> --checkpoint <file>`).

/** Marks our lines when they share a stream with other JSON logs (stdout with the app's logs). */
export const AUDIT_LINE_SOURCE = 'tokentrace.audit';

/** One event as one line: a fixed key order, ISO time, and `\n` (JSON escapes any newline inside strings). */
export function formatAuditLine(event: AuditEvent): string {
  const line = {
    source: AUDIT_LINE_SOURCE,
    id: event.id,
    at: event.at.toISOString(),
    projectId: event.projectId,
    action: event.action,
    actor: { type: event.actor.type, id: event.actor.id, label: event.actor.label },
    targetType: event.targetType,
    targetId: event.targetId,
    ip: event.ip,
    userAgent: event.userAgent,
    details: event.details ?? null,
    hash: event.hash ?? null,
    prevHash: event.prevHash ?? null,
  };
  return `${JSON.stringify(line)}\n`;
}

/**
 * A sink that hands each formatted line to `writeLine`, one at a time and in order: a slow
 * write is never overtaken by the next event. A failed write rejects that event's promise (the
 * server logs it) and the lines after it are still written.
 */
export function createJsonLinesSink(name: string, writeLine: (line: string) => void | Promise<void>): AuditSink {
  let queue: Promise<void> = Promise.resolve();
  return {
    name,
    write(event) {
      const line = formatAuditLine(event);
      const written = queue.then(() => writeLine(line));
      queue = written.catch(() => {});
      return written;
    },
  };
}

/** Writes to a stream such as process.stdout, resolving once the stream took the line. */
export function streamSink(stream: NodeJS.WritableStream, name = 'audit-stdout'): AuditSink {
  return createJsonLinesSink(
    name,
    (line) => new Promise<void>((done, fail) => void stream.write(line, (err) => (err ? fail(err) : done()))),
  );
}

/**
 * Appends to a file from the setup context's `appendOnlyFile` (mode 0600: entries name people
 * and addresses; reopened per line, so log rotation needs no signal; opened when the plugin
 * loads, so a wrong path stops the start instead of losing events later).
 */
export function fileSink(file: AppendOnlyFile): AuditSink {
  return createJsonLinesSink(`audit-file:${file.path}`, (line) => file.append(line));
}
