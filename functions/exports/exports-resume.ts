import type { InvocationContext, Timer } from '@azure/functions';
import { redact } from '../../shared/redact';
import { registerTimer } from '../app';
import { defaultDeps } from '../deps';
import { runExportJob, type ExportJobDeps } from './export-job-run';

/** NCRONTAB schedule of the `exports-resume` timer: every two minutes. */
export const EXPORTS_RESUME_SCHEDULE = '0 */2 * * * *';

/**
 * The `exports-resume` timer function: runs the evidence export jobs nobody runs — `queued` ones (the process that
 * accepted them went away before starting them) and `running` ones whose lease ran out (their run died, e.g. the
 * instance was recycled mid-job) — one at a time, each from the start (functions/exports/export-job-run.ts). A job
 * another run holds is left alone (its lease, taken with an ETag-conditional write).
 * @returns the ids of the jobs this run took and their end state
 */
export async function exportsResume(_timer: Timer | undefined, context: InvocationContext, deps: ExportJobDeps = defaultDeps()): Promise<Array<{ id: string; state?: string }>> {
  const ran: Array<{ id: string; state?: string }> = [];
  for (const id of await deps.exportJobs.listIds()) {
    const job = await deps.exportJobs.get(id);
    if (!job || job.state === 'done' || job.state === 'failed') continue;
    if (job.state === 'running' && (job.leaseUntilMs ?? 0) > deps.now()) continue;
    try {
      const done = await runExportJob(id, deps);
      ran.push({ id, state: done?.state });
      context.log('export job resumed', { exportId: id, state: done?.state });
    } catch (err) {
      context.error('export job could not be resumed; the next run retries it', { exportId: id, error: redact(String(err)) });
    }
  }
  return ran;
}

registerTimer('exports-resume', {
  schedule: EXPORTS_RESUME_SCHEDULE,
  handler: async (timer, context) => {
    await exportsResume(timer, context);
  },
});
