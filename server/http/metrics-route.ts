import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config';
import type { Metrics } from '../metrics/metrics';

// GET /metrics, Prometheus text format. Figures about a deployment (traffic, rejections, pool
// pressure) are for its operators, so the route is closed unless one of these holds:
// - TOKENTRACE_METRICS_TOKEN is set and the scraper sends it as `Authorization: Bearer …`
//   (anywhere, whatever the bind address);
// - without a token: the server is bound to a loopback address, the caller is on loopback, and
//   the request carries no forwarding header. A proxy on the same host (nginx, HAProxy) adds
//   X-Forwarded-For, so /metrics never leaks out through the public entry point.
// Otherwise it answers 404, as if it did not exist; a wrong or missing token gets 401.

const FORWARDING_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip', 'x-forwarded-proto'];

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const host = address.replace(/^\[|\]$/g, '').replace(/^::ffff:/i, '');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

type Access = 'allow' | 'unauthorized' | 'off';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export function metricsAccess(config: Config, req: IncomingMessage): Access {
  if (config.metricsToken) {
    const header = req.headers.authorization ?? '';
    const presented = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim() ?? '';
    // Compared as digests: equal length, constant time, whatever was sent.
    return timingSafeEqual(digest(presented), digest(config.metricsToken)) ? 'allow' : 'unauthorized';
  }
  const forwarded = FORWARDING_HEADERS.some((h) => req.headers[h] !== undefined);
  return isLoopbackAddress(config.host) && isLoopbackAddress(req.socket.remoteAddress) && !forwarded ? 'allow' : 'off';
}

/** Answers GET /metrics; false for any other path. */
export async function handleMetrics(config: Config, metrics: Metrics, req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
  if (path !== '/metrics') return false;
  const plain = { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...plain, allow: 'GET, HEAD' }).end('Method not allowed.');
    return true;
  }
  const access = metricsAccess(config, req);
  if (access === 'off') {
    res.writeHead(404, plain).end('Not found.');
    return true;
  }
  if (access === 'unauthorized') {
    res.writeHead(401, { ...plain, 'www-authenticate': 'Bearer realm="metrics"' }).end('Send TOKENTRACE_METRICS_TOKEN as a bearer token.');
    return true;
  }
  const body = await metrics.registry.metrics();
  res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}

/** One line for the start log: where GET /metrics can be read. */
export function describeMetricsAccess(config: Config): string {
  if (config.metricsToken) return 'GET /metrics: bearer token (TOKENTRACE_METRICS_TOKEN)';
  if (isLoopbackAddress(config.host)) return 'GET /metrics: loopback callers only, not through a proxy';
  return 'GET /metrics is off: the server listens beyond loopback; set TOKENTRACE_METRICS_TOKEN to turn it on';
}
