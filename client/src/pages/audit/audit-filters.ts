/** The audit log's filters as the page holds them (and the URL carries them). */
export interface AuditFilterState {
  action: string;
  actorId: string;
  /** ISO timestamps or empty. */
  from: string;
  to: string;
}
