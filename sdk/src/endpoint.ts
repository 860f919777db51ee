// HTTPS is enforced at construction: span content (prompts, completions) must never cross a
// network in clear text, and an ingest key sent over http:// is a leaked key. The one exception
// is a loopback address with an explicit opt-in, for development against `npm start`.

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function isLoopback(hostname: string): boolean {
  if (LOOPBACK_HOSTS.has(hostname)) return true;
  if (hostname.endsWith('.localhost')) return true;
  // The whole 127.0.0.0/8 block is loopback.
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * The endpoint as a URL string, or throws with a message that says what to change. The server's
 * address alone (`https://tokentrace.example.com`, with or without a trailing `/`) means its
 * GraphQL endpoint, `/graphql`; any other path is taken as written (a server behind a path prefix).
 */
export function checkEndpoint(endpoint: string, allowInsecureLocalhost: boolean): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new TypeError(`tokentrace: endpoint is not a valid URL: ${JSON.stringify(endpoint)}`);
  }
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/graphql';
  if (url.username || url.password) {
    throw new TypeError('tokentrace: endpoint must not carry credentials; pass the key as apiKey');
  }
  if (url.protocol === 'https:') return url.toString();
  if (url.protocol !== 'http:') {
    throw new TypeError(`tokentrace: endpoint must be an https:// URL (got ${url.protocol}//…)`);
  }
  if (!isLoopback(url.hostname)) {
    throw new TypeError(
      `tokentrace: refusing the insecure endpoint http://${url.host}: span content and the API key would travel unencrypted. Use https://.`,
    );
  }
  if (!allowInsecureLocalhost) {
    throw new TypeError(
      `tokentrace: refusing http://${url.host}. For a local development server, pass allowInsecureLocalhost: true (loopback addresses only).`,
    );
  }
  return url.toString();
}
