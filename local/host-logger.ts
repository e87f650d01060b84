import pino from 'pino';
import { redact, redactValue } from '../shared/redact';

/**
 * The one-method-per-level logger the local host and feeder write to; a pino logger fits as it is
 * (`logger.info(fields, message)`).
 */
export interface HostLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** A pino logger to stdout at `info`, tagged with `component`. */
export function defaultHostLogger(component: string): HostLogger {
  return pino({ base: { component }, level: 'info' });
}

/** Logger that drops everything (tests that assert on behaviour, not logs). */
export const silentLogger: HostLogger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Writes a `context.log/warn/error(...args)` call of a handler to `logger`: string and other non-object arguments
 * form the message, plain objects are merged into the fields; both are redacted (shared/redact.ts) because
 * handlers may mention URLs with SAS signatures or keys.
 * @param level the Functions log level ('trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none')
 */
export function logInvocation(logger: HostLogger, level: string, base: object, args: readonly unknown[]): void {
  const fields: Record<string, unknown> = { ...base };
  const words: string[] = [];
  for (const a of args) {
    if (a && typeof a === 'object' && Object.getPrototypeOf(a) === Object.prototype) Object.assign(fields, redactValue(a));
    else if (a instanceof Error) fields.err = redact(a.stack ?? a.message);
    else words.push(redact(typeof a === 'string' ? a : String(a)));
  }
  const message = words.join(' ');
  switch (level) {
    case 'none':
      return;
    case 'trace':
    case 'debug':
      return logger.debug(fields, message);
    case 'warning':
      return logger.warn(fields, message);
    case 'error':
    case 'critical':
      return logger.error(fields, message);
    default:
      return logger.info(fields, message);
  }
}
