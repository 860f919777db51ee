import type { IncomingMessage } from 'node:http';
import { authenticateRequest, type Authentication } from '../auth/authenticate';

// A request authenticated before yoga runs: server.ts does so for a large ingest request, so that
// its read worker may seal the content for the key's project (early-sealing.ts). Yoga's context
// then takes this result instead of asking the database a second time. Only for the very request
// object, and only while its Authorization header is the one that was checked.

const early = new WeakMap<IncomingMessage, { authorization: string; auth: Authentication }>();

/** The request's bearer credential checked now; undefined when it is not valid (yoga will say why). */
export async function authenticateEarly(deps: Parameters<typeof authenticateRequest>[0], req: IncomingMessage): Promise<Authentication | undefined> {
  const authorization = req.headers.authorization;
  if (!authorization) return undefined;
  try {
    const auth = await authenticateRequest(deps, new Headers({ authorization }));
    early.set(req, { authorization, auth });
    return auth;
  } catch {
    return undefined;
  }
}

/** What authenticateEarly found for this request and header, if it ran. */
export function earlyAuthenticationOf(req: IncomingMessage | undefined, authorization: string | null): Authentication | undefined {
  const found = req ? early.get(req) : undefined;
  return found && found.authorization === authorization ? found.auth : undefined;
}
