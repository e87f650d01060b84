import { z } from 'zod';
import { ID_PATTERN } from '../ids';
import { ENTITY_NAME_PATTERN } from '../pipelines/pipeline-lifecycle';
import { toIso } from '../time';

/**
 * CloudEvents `type` of the agent's report that a live pipeline reached a state (docs/contracts.md "AVA live
 * pipelines"): published through its outbox on `keepwatch/{deviceId}/events/{cameraId}` of the pipeline's first camera;
 * `data` is `{ pipelineName, state: 'active'|'inactive', generation, cameraIds }`, id
 * `pipeline-state-{name}-{generation}-{state}`. `inactive` after a deactivate is sent only once the pipeline's cameras
 * stopped and their cached segments are uploaded.
 */
export const PIPELINE_STATE = 'pipeline.state';

const cameraIdSchema = z.string().regex(ID_PATTERN, 'expected a camera id of 1 to 32 characters from a-z, 0-9, -');
const pipelineNameSchema = z.string().regex(ENTITY_NAME_PATTERN, 'expected a live pipeline name');

/** `data` of a `pipeline.state` device event. */
export const pipelineStateDataSchema = z.strictObject({
  pipelineName: pipelineNameSchema,
  state: z.enum(['active', 'inactive']),
  generation: z.number().int().min(1),
  cameraIds: z.array(cameraIdSchema).min(1).max(16),
  /** Why an activation ended inactive (the device could not apply it), ≤ 512 characters, no credentials. */
  message: z.string().max(512).optional(),
});
export type PipelineStateData = z.output<typeof pipelineStateDataSchema>;

/** One `pipeline.state` report as ingest applies it. */
export interface PipelineStateRecord extends PipelineStateData {
  deviceId: string;
  eventId: string;
}

/**
 * The `pipeline.state` CloudEvent an agent publishes.
 * @param deviceId the publishing device (CloudEvents `source` `/devices/{deviceId}`)
 * @param nowMs event time, epoch ms
 */
export function pipelineStateEvent(deviceId: string, data: PipelineStateData, nowMs: number): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: `pipeline-state-${data.pipelineName}-${data.generation}-${data.state}`,
    source: `/devices/${deviceId}`,
    type: PIPELINE_STATE,
    subject: data.pipelineName,
    time: toIso(nowMs),
    datacontenttype: 'application/json',
    data,
  };
}
