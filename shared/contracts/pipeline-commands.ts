import { z } from 'zod';
import { ValidationError } from '../errors';
import { ID_PATTERN } from '../ids';
import { ENTITY_NAME_PATTERN } from '../pipelines/pipeline-lifecycle';
import { toIso } from '../time';
import { cloudEventSchema } from './device-events';
import { parseWith } from '../validation/format-issues';

/**
 * The cloud's live pipeline commands to an agent (docs/contracts.md "AVA live pipelines"), CloudEvents JSON, QoS 1, on
 * `keepwatch/{deviceId}/commands/{cameraId}` of the pipeline's first camera (shared/contracts/topics.ts `cameraCommandsTopic`):
 *
 * ```json
 * { "specversion": "1.0", "id": "pipeline-door-1-4-activate", "source": "/keepwatch/pipelines", "type": "command.pipeline.activate",
 *   "subject": "door-1", "time": "2026-11-21T10:00:00.000Z", "datacontenttype": "application/json",
 *   "data": { "pipelineName": "door-1", "generation": 4,
 *             "cameras": [{ "id": "door-1", "url": "rtsp://...", "mode": "cvr" }],
 *             "agent": { "segmentLength": "PT30S" } } }
 * ```
 * - activate: `cameras` are agent config camera entries (the INPUT shape of shared/schemas/agent-config.ts
 *   `cameraSchema`, from importTopology, credentials included), `agent` the agent-level settings the topology sets.
 *   To a provisioned device the cameras travel sealed (shared/contracts/command-seal.ts; docs/devices.md "Camera credentials in
 *   commands"): `sealedCameras` (the sealed JSON array, additional data = the command id) and `cameraIds` (their ids,
 *   in clear, so a device that cannot open them can still say which pipeline failed) instead of `cameras`;
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

const camerasSchema = z.array(z.looseObject({ id: cameraIdSchema })).min(1).max(16);
const activateDataSchema = z
  .strictObject({
    pipelineName: pipelineNameSchema,
    generation: z.number().int().min(1),
    cameras: camerasSchema.optional(),
    cameraIds: z.array(cameraIdSchema).min(1).max(16).optional(),
    sealedCameras: z.string().max(262_144).optional(),
    agent: z.record(z.string(), z.unknown()),
  })
  .refine((d) => (d.cameras === undefined) !== (d.sealedCameras === undefined && d.cameraIds === undefined), { message: 'expected either cameras, or sealedCameras with cameraIds' })
  .refine((d) => (d.sealedCameras === undefined) === (d.cameraIds === undefined), { message: 'sealedCameras and cameraIds go together' });
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

/**
 * The activate command CloudEvent.
 * @param nowMs event time, epoch ms
 * @param seal when given, seals the cameras (shared/contracts/command-seal.ts `sealJson` with the device's key, additional data =
 *   the command id, its second argument): the command carries `sealedCameras` and `cameraIds` instead of `cameras`
 */
export function pipelineActivateCommand(
  pipelineName: string,
  generation: number,
  cameras: Array<Record<string, unknown>>,
  agent: Record<string, unknown>,
  nowMs: number,
  seal?: (cameras: Array<Record<string, unknown>>, commandId: string) => string,
): Record<string, unknown> {
  const id = pipelineCommandId('activate', pipelineName, generation);
  const data = seal ? { pipelineName, generation, cameraIds: cameras.map((c) => String(c.id)), sealedCameras: seal(cameras, id), agent } : { pipelineName, generation, cameras, agent };
  return envelope(PIPELINE_ACTIVATE_COMMAND, id, pipelineName, nowMs, data);
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
 * Validates a pipeline command as the agent receives it, opening sealed cameras.
 * @param openSealed opens `sealedCameras` (shared/contracts/command-seal.ts `openSealedJson` with this device's key; additional
 *   data = the command id); absent when the agent has no device secret
 * @throws ValidationError `InvalidCommand` naming every issue; `SealedCommandUnreadable` (details
 *   `{ pipelineName, generation, cameraIds }`, so the agent can report the pipeline inactive) when the cameras are sealed
 *   and cannot be opened, or open to something else than the cameras `cameraIds` names
 */
export function parsePipelineCommand(raw: unknown, openSealed?: (sealed: string, commandId: string) => unknown): PipelineCommand {
  const e = parseWith(cloudEventSchema, raw, 'command', 'InvalidCommand');
  if (e.type === PIPELINE_ACTIVATE_COMMAND) {
    const d = parseWith(activateDataSchema, e.data, `command ${e.id} data`, 'InvalidCommand');
    let cameras = d.cameras;
    if (d.sealedCameras !== undefined) {
      const which = { pipelineName: d.pipelineName, generation: d.generation, cameraIds: d.cameraIds };
      const unreadable = (why: string) => new ValidationError(`command ${e.id}: ${why}`, which, 'SealedCommandUnreadable');
      if (!openSealed) throw unreadable('its cameras are sealed to the device secret, which this agent is not configured with (upload.deviceSecret)');
      let opened: unknown;
      try {
        opened = openSealed(d.sealedCameras, e.id);
      } catch (err) {
        throw unreadable(err instanceof Error ? err.message : String(err));
      }
      const parsed = camerasSchema.safeParse(opened);
      if (!parsed.success || parsed.data.map((c) => c.id).join('/') !== d.cameraIds!.join('/')) throw unreadable('its sealed cameras are not the cameras cameraIds names');
      cameras = parsed.data;
    }
    return { kind: 'activate', id: e.id, pipelineName: d.pipelineName, generation: d.generation, cameras: cameras as Array<Record<string, unknown> & { id: string }>, agent: d.agent };
  }
  if (e.type === PIPELINE_DEACTIVATE_COMMAND) {
    const d = parseWith(deactivateDataSchema, e.data, `command ${e.id} data`, 'InvalidCommand');
    return { kind: 'deactivate', id: e.id, pipelineName: d.pipelineName, generation: d.generation, cameraIds: d.cameraIds };
  }
  throw new ValidationError(`command ${e.id}: type ${JSON.stringify(e.type)} is not a pipeline command`, undefined, 'InvalidCommand');
}
