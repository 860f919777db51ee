import { pino, type Logger } from 'pino';

// Logs never carry secrets or span content. Code logs ids, not values; these paths are a
// second line of defence should a careless call pass a whole object.
const REDACT_PATHS = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'cookie',
  '*.cookie',
  'headers.authorization',
  'headers.cookie',
  'input',
  'output',
  '*.input',
  '*.output',
  'variables',
];

/** A logger writing JSON lines to `destination` (pino's default stdout when omitted). */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = { level, base: { service: 'tokentrace' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
