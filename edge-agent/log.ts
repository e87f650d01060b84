import pino, { type Logger } from 'pino';
import { redact, redactValue } from '../shared/redact';

export type { Logger };

/**
 * The agent's root logger: JSON lines on stdout (pino), every string argument and field passed
 * through shared/redact.ts so RTSP userinfo, SAS signatures and keys never reach a log.
 * Components take a child with `{ component, cameraId? }`.
 * @param level pino level name
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'keepwatch-agent' },
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? redact(a) : redactValue(a))) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
