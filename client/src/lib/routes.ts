// The dashboard's routes. Project pages carry the project id in the path, so a link to a trace
// opens the right project for whoever it is shared with.

export type Route =
  | { name: 'home' }
  | { name: 'signin' }
  | { name: 'signup' }
  | { name: 'projects' }
  | { name: 'account' }
  | { name: 'traces'; projectId: string }
  | { name: 'trace'; projectId: string; traceId: string }
  | { name: 'usage'; projectId: string }
  | { name: 'keys'; projectId: string }
  | { name: 'members'; projectId: string }
  | { name: 'audit'; projectId: string }
  | { name: 'access'; projectId: string }
  | { name: 'settings'; projectId: string }
  | { name: 'sessions'; projectId: string }
  | { name: 'session'; projectId: string; sessionId: string }
  | { name: 'users'; projectId: string }
  | { name: 'prices'; projectId: string }
  | { name: 'invite'; token: string }
  | { name: 'not-found' };

export type ProjectRoute = Extract<Route, { projectId: string }>;

const PROJECT_PAGES = ['traces', 'sessions', 'users', 'usage', 'prices', 'keys', 'members', 'audit', 'access', 'settings'] as const;

export function matchRoute(path: string): Route {
  const parts = path.split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  if (parts.length === 0) return { name: 'home' };
  const [first, second, third, fourth] = parts;
  if (parts.length === 1) {
    if (first === 'signin' || first === 'signup' || first === 'projects' || first === 'account') return { name: first };
    return { name: 'not-found' };
  }
  if (first === 'invite' && second && parts.length === 2) return { name: 'invite', token: second };
  if (first === 'p' && second) {
    if (parts.length === 2) return { name: 'traces', projectId: second };
    if (third === 'traces' && fourth && parts.length === 4) return { name: 'trace', projectId: second, traceId: fourth };
    if (third === 'sessions' && fourth && parts.length === 4) return { name: 'session', projectId: second, sessionId: fourth };
    const page = PROJECT_PAGES.find((p) => p === third);
    if (page && parts.length === 3) return { name: page, projectId: second };
  }
  return { name: 'not-found' };
}

export function projectPath(projectId: string, page: (typeof PROJECT_PAGES)[number] = 'traces'): string {
  return `/p/${encodeURIComponent(projectId)}/${page}`;
}

export function tracePath(projectId: string, traceId: string): string {
  return `/p/${encodeURIComponent(projectId)}/traces/${encodeURIComponent(traceId)}`;
}

/** Only same-app paths may be returned to after sign-in (no `//evil.example`). */
export function safeReturnTo(value: string | null): string | null {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return null;
  return value;
}

/** A trace, opened at one of its spans (the span id rides in the query, so the link survives sharing). */
export function spanPath(projectId: string, traceId: string, spanId: string): string {
  return `${tracePath(projectId, traceId)}?span=${encodeURIComponent(spanId)}`;
}

export function sessionPath(projectId: string, sessionId: string): string {
  return `/p/${encodeURIComponent(projectId)}/sessions/${encodeURIComponent(sessionId)}`;
}

/** The prices page, with the form filled in for `model` when given. */
export function pricesPath(projectId: string, model?: string): string {
  return `${projectPath(projectId, 'prices')}${model ? `?model=${encodeURIComponent(model)}` : ''}`;
}

/** The trace list filtered by one end user or session. */
export function tracesOfPath(projectId: string, filter: { user?: string; session?: string }): string {
  const q = new URLSearchParams();
  if (filter.user) q.set('user', filter.user);
  if (filter.session) q.set('session', filter.session);
  q.set('range', 'all');
  return `${projectPath(projectId)}?${q.toString()}`;
}
