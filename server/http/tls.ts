import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import type { SecureContextOptions, TlsOptions } from 'node:tls';
import { ConfigError, type Config } from '../config';

// Transport security. With TOKENTRACE_TLS_CERT/KEY the server speaks HTTPS itself, TLS 1.3
// only (no downgrade to 1.2 cipher suites), and tells browsers to stay on HTTPS (HSTS).
// Production without a certificate is refused unless a proxy in front terminates TLS.

export const HSTS = 'max-age=31536000; includeSubDomains';

/** Throws when NODE_ENV=production would serve plain HTTP with nothing in front to encrypt it. */
export function assertTransportAllowed(config: Config): void {
  if (config.env !== 'production' || config.tls || config.tlsTerminatedByProxy) return;
  throw new ConfigError(
    'Refusing to serve plain HTTP with NODE_ENV=production:\n' +
      '  set TOKENTRACE_TLS_CERT and TOKENTRACE_TLS_KEY (PEM files) to serve HTTPS, or\n' +
      '  set TOKENTRACE_TLS_TERMINATED_BY_PROXY=true when a reverse proxy terminates TLS in front of tokentrace.\n' +
      '  See docs/deploy.md.',
  );
}

export function tlsServerOptions(tls: NonNullable<Config['tls']>): TlsOptions & SecureContextOptions {
  const read = (file: string, variable: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new ConfigError(`Invalid configuration:\n  ${variable}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };
  return {
    cert: read(tls.certFile, 'TOKENTRACE_TLS_CERT'),
    key: read(tls.keyFile, 'TOKENTRACE_TLS_KEY'),
    minVersion: 'TLSv1.3',
  };
}

/** HSTS on every response that travelled over TLS (directly, or through the trusted proxy). */
export function setTransportHeaders(config: Config, forwardedProto: string | string[] | undefined, res: ServerResponse): void {
  const proto = Array.isArray(forwardedProto) ? forwardedProto[0] : forwardedProto;
  const viaProxy = (config.tlsTerminatedByProxy || config.trustProxy) && proto?.split(',')[0]?.trim() === 'https';
  if (config.tls || viaProxy) res.setHeader('strict-transport-security', HSTS);
}
