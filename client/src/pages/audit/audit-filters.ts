/** The audit log's filters as the page holds them (and the URL carries them). */
export interface AuditFilterState {
  action: string;
  /** An e-mail (the person who acted) or, from older links, an actor id. */
  actorId: string;
  /** ISO timestamps or empty. */
  from: string;
  to: string;
}

/** The actor filter as typed: an e-mail goes to actorEmail, anything else is taken as an id. */
export function actorFilter(text: string): { actorEmail: string } | { actorId: string } | null {
  const t = text.trim();
  if (!t) return null;
  return t.includes('@') ? { actorEmail: t } : { actorId: t };
}
