import { AppError } from '../errors';

// Every request without a bearer credential is checked: a cookie-authenticated one could be
// forged by a foreign page (the browser adds the cookie by itself), and an anonymous one could
// be a forged sign-in that logs the victim into the attacker's account. Bearer-authenticated
// requests need no check: a foreign page cannot make the browser send our Authorization
// header. Three layers, any one of which stops a forgery:
// SameSite=Lax on the cookie, Sec-Fetch-Site / Origin must be our own, and the body must be
// JSON (a non-simple type that forces a CORS preflight).

const JSON_TYPES = /^application\/(graphql-response\+)?json\b/i;

export function checkCsrf(request: Request, publicUrl: string): void {
  const refuse = () =>
    new AppError('FORBIDDEN', 'Cross-site request refused: send requests from the tokentrace dashboard.', undefined, 403);
  const fetchSite = request.headers.get('sec-fetch-site');
  if (fetchSite && fetchSite !== 'same-origin' && fetchSite !== 'none') throw refuse();
  const origin = request.headers.get('origin');
  if (origin && origin !== 'null') {
    const requestOrigin = new URL(request.url).origin;
    if (origin !== new URL(publicUrl).origin && origin !== requestOrigin) throw refuse();
  } else if (origin === 'null') {
    throw refuse();
  }
  if (request.method === 'POST' && !JSON_TYPES.test(request.headers.get('content-type') ?? '')) throw refuse();
}
