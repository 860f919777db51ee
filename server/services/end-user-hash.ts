import { createHash } from 'node:crypto';

// An end user's id as the audit log records it (erasure, exports filtered by user): never the
// id itself, which is personal data that an append-only log could not forget. Scoped to the
// project, so the same person's hash differs between projects. An auditor with the id in hand
// can check it: sha256 of "<projectId>:<userId>", hex. A guessable id (an e-mail address) can
// still be found by trying candidates; the hash keeps it out of plain sight, no more.

export function endUserHash(projectId: string, userId: string): string {
  return `sha256:${createHash('sha256').update(`${projectId}:${userId}`, 'utf8').digest('hex')}`;
}
