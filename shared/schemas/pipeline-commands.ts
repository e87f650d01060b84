import { z } from 'zod';
import { ValidationError } from '../errors';
import { ID_PATTERN } from '../ids';
import { ENTITY_NAME_PATTERN } from '../pipelines/pipeline-lifecycle';
import { toIso } from '../time';
import { cloudEventSchema } from './device-events';
import { parseWith } from './format-issues';

/**
 * The cloud's live pipeline commands to an agent (docs/contracts.md "AVA live pipelines"), CloudEvents JSON, QoS 1, on
 * `keepwatch/{deviceId}/commands/{cameraId}` of the pipeline's first camera (shared/topics.ts `cameraCommandsTopic`):
 *
 * ```json
 * { "specversion": "1.0", "id": "pipeline-door-1-4-activate", "source": "/keepwatch/pipelines", "type": "command.pipeline.activate",
 *   "subject": "door-1", "time": "2026-11-21T10:00:00.000Z", "datacontenttype": "application/json",
 *   "data": { "pipelineName": "door-1", "generation": 4,
 *             "cameras": [{ "id": "door-1", "url": "rtsp://...", "mode": "cvr" }],
 *             "agent": { "segmentLength": "PT30S" } } }
 * ```
 * - activate: `cameras` are agent config camera entries (the INPUT shape of shared/schemas/agent-config.ts
 *   `cameraSchema`, from importTopology, credentials included: the command goes to that device only, over TLS in
 *   Azure), `agent` the agent-level settings the topology sets;
 * - deactivate: `cameraIds` to stop once their cached segments are uploaded.
 * `generation` orders commands per pipeline: the agent applies a command once (its id repeats on a resend) and
 * echoes the generation in its `pipeline.state` report ({@link PIPELINE_STATE}).
 */
export const PIPELINE_ACTIVATE_COMMAND = 'command.pipeline.activate';
export const PIPELINE_DEACTIVATE_COMMAND = 'command.pipeline.deactivate';
/** CloudEvents `source` of pipeline commands. */
export const PIPELINES_SOURCE = '/keepwatch/pipelines';

const cameraIdSchema = z.string().regex(ID_PATTERN, 'expected a camera id of 1 to 32 characters from a-z, 0-9, -');
const pipelineNameSchema = z.string().regex(ENTITY_NAME_PATTERN, 'expected a live pipeline name');

const activateDataSchema = z.strictObject({
  pipelineName: pipelineNameSchema,
  generation: z.number().int().min(1),
  cameras: z.array(z.looseObject({ id: cameraIdSchema })).min(1).max(16),
  agent: z.record(z.string(), z.unknown()),
});
const deactivateDataSchema = z.strictObject({
  pipelineName: pipelineNameSchema,
  generation: z.number().int().min(1),
  cameraIds: z.array(cameraIdSchema).min(1).max(16),
});

/** A pipeline command as the agent applies it. */
export type PipelineCommand =
  | { kind: 'activate'; id: string; pipelineName: string; generation: number; cameras: Array<Record<string, unknown> & { id: string }>; agent: Record<string, unknown> }
  | { kind: 'deactivate'; id: string; pipelineName: string; generation: number; cameraIds: string[] };

/** Id of a pipeline command: `pipeline-{name}-{generation}-{activate|deactivate}` (a resend has the same id). */
export function pipelineCommandId(kind: PipelineCommand['kind'], pipelineName: string, generation: number): string {
  return `pipeline-${pipelineName}-${generation}-${kind}`;
}

/** The activate command CloudEvent. @param nowMs event time, epoch ms */
export function pipelineActivateCommand(pipelineName: string, generation: number, cameras: Array<Record<string, unknown>>, agent: Record<string, unknown>, nowMs: number): Record<string, unknown> {
  return envelope(PIPELINE_ACTIVATE_COMMAND, pipelineCommandId('activate', pipelineName, generation), pipelineName, nowMs, { pipelineName, generation, cameras, agent });
}

/** The deactivate command CloudEvent. @param nowMs event time, epoch ms */
export function pipelineDeactivateCommand(pipelineName: string, generation: number, cameraIds: string[], nowMs: number): Record<string, unknown> {
  return envelope(PIPELINE_DEACTIVATE_COMMAND, pipelineCommandId('deactivate', pipelineName, generation), pipelineName, nowMs, { pipelineName, generation, cameraIds });
}

function envelope(type: string, id: string, subject: string, nowMs: number, data: Record<string, unknown>): Record<string, unknown> {
  return { specversion: '1.0', id, source: PIPELINES_SOURCE, type, subject, time: toIso(nowMs), datacontenttype: 'application/json', data };
}

/** True when a command CloudEvent (parsed JSON) is a pipeline command rather than another command type. */
export function isPipelineCommand(raw: unknown): boolean {
  const type = (raw as { type?: unknown } | null)?.type;
  return type === PIPELINE_ACTIVATE_COMMAND || type === PIPELINE_DEACTIVATE_COMMAND;
}

/**
 * Validates a pipeline command as the agent receives it.
 * @throws ValidationError `InvalidCommand` naming every issue
 */
export function parsePipelineCommand(raw: unknown): PipelineCommand {
  const e = parseWith(cloudEventSchema, raw, 'command', 'InvalidCommand');
  if (e.type === PIPELINE_ACTIVATE_COMMAND) {
    const d = parseWith(activateDataSchema, e.data, `command ${e.id} data`, 'InvalidCommand');
    return { kind: 'activate', id: e.id, pipelineName: d.pipelineName, generation: d.generation, cameras: d.cameras as Array<Record<string, unknown> & { id: string }>, agent: d.agent };
  }
  if (e.type === PIPELINE_DEACTIVATE_COMMAND) {
    const d = parseWith(deactivateDataSchema, e.data, `command ${e.id} data`, 'InvalidCommand');
    return { kind: 'deactivate', id: e.id, pipelineName: d.pipelineName, generation: d.generation, cameraIds: d.cameraIds };
  }
  throw new ValidationError(`command ${e.id}: type ${JSON.stringify(e.type)} is not a pipeline command`, undefined, 'InvalidCommand');
}
