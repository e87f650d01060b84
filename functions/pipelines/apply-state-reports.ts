import type { InvocationContext } from '@azure/functions';
import { applyStateReport } from '../../shared/pipelines/pipeline-lifecycle';
import type { TablePipelineStore } from '../adapters/table/table-pipeline-store';
import type { PipelineStateRecord } from '../../shared/contracts/pipeline-state';
import { withEtagRetry } from './etag-retry';

/**
 * Applies the devices' `pipeline.state` reports of one ingest batch to the stored live pipelines, in batch order
 * (shared/pipelines/pipeline-lifecycle.ts `applyStateReport`: only the report of the command in progress moves a
 * transitional state, so duplicates and reordered reports change nothing). A report for a pipeline that no longer
 * exists is logged and dropped. Each write is conditional on the row's ETag and re-decided when it loses a race.
 * @returns how many reports changed a state
 * @throws TransientError when storage fails (the trigger replays the batch; applying again changes nothing)
 */
export async function applyPipelineStateReports(reports: readonly PipelineStateRecord[], pipelines: TablePipelineStore, nowMs: number, context: InvocationContext): Promise<number> {
  let changed = 0;
  for (const r of reports) {
    await withEtagRetry(`live pipeline '${r.pipelineName}'`, async () => {
      const p = await pipelines.getPipeline(r.deviceId, r.pipelineName);
      if (!p) {
        context.warn('pipeline.state for an unknown live pipeline dropped', { deviceId: r.deviceId, pipeline: r.pipelineName, eventId: r.eventId });
        return;
      }
      const state = applyStateReport({ ...p, parameterNames: [] }, r);
      if (state === undefined) return;
      const { stateMessage: _old, ...rest } = p;
      await pipelines.savePipeline({ ...rest, state, lastModifiedAtMs: nowMs, ...(r.message !== undefined ? { stateMessage: r.message } : {}) }, p.etag);
      changed++;
      context.log('live pipeline state reported', { deviceId: r.deviceId, pipeline: r.pipelineName, state, generation: r.generation, message: r.message });
    });
  }
  return changed;
}
