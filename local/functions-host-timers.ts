import { randomUUID } from 'node:crypto';
import { InvocationContext, type Timer, type TimerFunctionOptions } from '@azure/functions';
import { Cron } from 'croner';
import { logInvocation, type HostLogger } from './host-logger';

/** A late start beyond this counts as a missed occurrence (`isPastDue`), ms. */
const PAST_DUE_AFTER_MS = 5000;

/** A scheduled timer function; `stop()` cancels future runs and waits for a running one. */
export interface ScheduledTimer {
  name: string;
  nextRunMs(): number | undefined;
  stop(): Promise<void>;
}

/**
 * Schedules a timer registration as the Functions host would: NCRONTAB `{second} {minute} {hour} {day} {month}
 * {day-of-week}` in UTC, day and day-of-week both required to match (NCrontab semantics; croner `domAndDow`), one run
 * at a time (a run still going when the next is due skips it), `runOnStartup` honoured. The handler gets a Timer like
 * the host's (`isPastDue`, `schedule`, `scheduleStatus`) and a fresh InvocationContext; a throw is logged, not retried.
 * @throws Error naming the function when the schedule is not a 6-field NCRONTAB expression (the `hh:mm:ss` TimeSpan
 *   form is not supported)
 */
export function scheduleTimer(name: string, options: TimerFunctionOptions, logger: HostLogger): ScheduledTimer {
  let job: Cron;
  let lastRunMs: number | undefined;
  let running: Promise<void> | undefined;
  let expectedMs: number | undefined;
  const run = async (scheduledMs: number) => {
    const nowMs = Date.now();
    const timer: Timer = {
      isPastDue: nowMs - scheduledMs > PAST_DUE_AFTER_MS,
      schedule: { adjustForDST: false },
      scheduleStatus: {
        last: new Date(lastRunMs ?? scheduledMs).toISOString(),
        next: (job.nextRun() ?? new Date(nowMs)).toISOString(),
        lastUpdated: new Date(nowMs).toISOString(),
      },
    };
    lastRunMs = scheduledMs;
    const invocationId = randomUUID();
    const context = new InvocationContext({
      invocationId,
      functionName: name,
      logHandler: (level, ...args) => logInvocation(logger, level, { functionName: name, invocationId }, args),
    });
    try {
      await options.handler(timer, context);
    } catch (err) {
      logger.error({ functionName: name, invocationId, err: err instanceof Error ? err.message : String(err) }, 'timer function failed');
    }
  };
  try {
    job = new Cron(options.schedule, { timezone: 'UTC', mode: '6-part', domAndDow: true, protect: true }, async (self: Cron) => {
      const scheduledMs = expectedMs ?? Date.now();
      expectedMs = self.nextRun()?.getTime();
      running = run(scheduledMs);
      await running;
      running = undefined;
    });
    expectedMs = job.nextRun()?.getTime();
  } catch (err) {
    throw new Error(`timer function '${name}': schedule '${options.schedule}' is not a 6-field NCRONTAB expression ({second} {minute} {hour} {day} {month} {day-of-week}): ${(err as Error).message}`);
  }
  if (options.runOnStartup) running = run(Date.now()).finally(() => (running = undefined));
  return {
    name,
    nextRunMs: () => job.nextRun()?.getTime(),
    stop: async () => {
      job.stop();
      await running;
    },
  };
}
