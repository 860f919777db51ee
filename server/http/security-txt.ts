import type { ServerResponse } from 'node:http';
import type { Config } from '../config';

// RFC 9116 security.txt, so researchers find where to report a vulnerability in this
// installation. The contact is the self-hoster's (TOKENTRACE_SECURITY_CONTACT). Contact is a
// required field, so without one there is no file (404) rather than a file that names nobody.

const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;

export function securityTxt(config: Config, now = new Date()): string | undefined {
  const contact = config.securityContact;
  if (!contact) return undefined;
  const lines = [
    `Contact: ${/^[a-z][a-z0-9+.-]*:/i.test(contact) ? contact : `mailto:${contact}`}`,
    `Expires: ${new Date(now.getTime() + ONE_YEAR_MS).toISOString()}`,
    'Preferred-Languages: en',
    `Canonical: ${config.publicUrl}/.well-known/security.txt`,
  ];
  return `${lines.join('\n')}\n`;
}

export function handleSecurityTxt(config: Config, path: string, res: ServerResponse): boolean {
  if (path !== '/.well-known/security.txt') return false;
  const body = securityTxt(config);
  if (body === undefined) res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('No security contact is configured.\n');
  else res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'max-age=3600' }).end(body);
  return true;
}
