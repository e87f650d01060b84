import { bindCamerasToDevice } from '../devices/device-provisioning';
import type { HttpResponseInit, InvocationContext } from '@azure/functions';
import { ConflictError, NotFoundError, ValidationError } from '../../shared/errors';
import { decideActivate, decideDeactivate, lifecycleView, type TransitionDecision } from '../../shared/pipelines/pipeline-lifecycle';
import type { StoredPipeline } from '../adapters/table/table-pipeline-store';
import type { ImportedTopology } from '../../shared/pipelines/topology-importer';
import { parseRecordingPolicy } from '../../shared/schemas/recording-policy';
import { pipelineDeactivateCommand } from '../../shared/contracts/pipeline-commands';
import { activateCommand, cameraSealing } from './activate-command';
import type { FunctionsDeps } from '../deps';
import { withEtagRetry } from './etag-retry';
import { importForPipeline } from './pipeline-import';
import { assertRetentionWithinMax } from '../retention/retention-max';
import { pipelineResource } from './pipeline-resources';

/** How often a waiting activate/deactivate reads the pipeline's state, ms. */
export const STATE_POLL_MS = 250;

export type TransitionDeps = Pick<FunctionsDeps, 'settings' | 'pipelines' | 'policies' | 'deviceCommands' | 'importTopology' | 'devices' | 'now'>;

/**
 * Activate or deactivate a live pipeline (AVA livePipelineActivate / livePipelineDeactivate):
 * 1. read the pipeline and decide (shared/pipelines/pipeline-lifecycle.ts); a 409 `OperationNotAllowedInState` from the
 *    wrong state; already there: 200 at once;
 * 2. activate only: import the topology again with the pipeline's parameters (a 400 leaves the state unchanged);
 * 3. store the transitional state and the new generation (ETag write); activate: store each camera's recording policy
 *    (the store `PUT /api/cameras/{cameraId}/policy` writes); then send the command to the device (QoS 1,
 *    `keepwatch/{deviceId}/commands/{firstCameraId}`, shared/contracts/pipeline-commands.ts) — state first, so the
 *    device's report always finds the generation it echoes;
 * 4. wait for the device's `pipeline.state` report (ingest stores it) up to `KEEPWATCH_PIPELINE_STATE_WAIT`: 200 with
 *    the PipelineResource once it reached a stable state, else 202 with the current (transitional) state — the device
 *    applies the command when it reconnects (MQTT persistent session), and GET shows the state. An activation the
 *    device refused (reported inactive) is a 409 `ActivationFailed` with the device's reason (also in GET's
 *    `stateMessage`).
 * A failed send (broker unreachable) answers 503 with the state left transitional; repeating the request sends the
 * same command again (same id, applied once).
 * @throws the KeepwatchError of the refusal (NotFoundError, ConflictError, ValidationError, TransientError), which the
 *   route turns into its answer with errorResponse
 */
export async function pipelineTransition(kind: 'activate' | 'deactivate', deviceId: string, name: string, context: InvocationContext, deps: TransitionDeps): Promise<HttpResponseInit> {
  const { pipeline, decision, imported } = await withEtagRetry(`live pipeline '${name}'`, async () => {
    const p = await deps.pipelines.getPipeline(deviceId, name);
    if (!p) throw new NotFoundError(`device '${deviceId}' has no live pipeline '${name}'`);
    const d = (kind === 'activate' ? decideActivate : decideDeactivate)(lifecycleView(p));
    // Import before the state changes: a pipeline that no longer imports is refused (400) while still inactive,
    // instead of being left activating with no command sent.
    const imp = kind === 'activate' && d.sendCommand ? await importPipeline(p, deps) : undefined;
    // A provisioned device gets upload URLs only for its own cameras: the pipeline's become its own (409 `CameraOwned`
    // when another device records one).
    if (imp) await bindCamerasToDevice(deps.devices, deviceId, imp.cameras.map((c) => String(c.id)), deps.now());
    // Before the state changes: credentials that could only travel in clear are a 409, the pipeline stays inactive.
    if (imp) await cameraSealing(deps.devices, p, imp.cameras);
    const { stateMessage: _old, ...rest } = p;
    const next = d.generation !== p.generation ? { ...rest, state: d.state, generation: d.generation } : { ...p, state: d.state };
    if (d.state !== p.state || d.generation !== p.generation) await deps.pipelines.savePipeline({ ...next, lastModifiedAtMs: deps.now() }, p.etag);
    return { pipeline: next, decision: d, imported: imp };
  });
  if (decision.sendCommand) await sendCommand(pipeline, decision, imported, deps, context);
  const final = decision.awaitReport ? await waitForReport(deviceId, name, deps) : pipeline;
  if (kind === 'activate' && final.state === 'inactive') {
    // The device answered that it could not apply the pipeline (e.g. its camera id is one of the agent config's).
    throw new ConflictError(`device '${deviceId}' could not activate live pipeline '${name}': ${final.stateMessage ?? 'no reason given'}`, 'ActivationFailed');
  }
  const status = final.state === 'activating' || final.state === 'deactivating' ? 202 : 200;
  context.log(`live pipeline ${kind}`, { deviceId, name, state: final.state, generation: final.generation, status });
  return { status, jsonBody: pipelineResource(final), headers: { 'cache-control': 'no-store' } };
}

/**
 * The pipeline's topology imported with its parameters; each camera policy it sets must fit `KEEPWATCH_RETENTION_MAX`
 * (functions/retention/retention-max.ts).
 * @throws ValidationError `InvalidResource` (details `[{ code: 'RetentionTooLong', ... }]` for a policy too long)
 */
export async function importPipeline(p: StoredPipeline, deps: TransitionDeps): Promise<ImportedTopology> {
  const topology = await deps.pipelines.getTopology(p.deviceId, p.topologyName);
  if (!topology) {
    // Cannot happen through the API (a referenced topology cannot be deleted), but the table may have been edited.
    throw new ValidationError(`live pipeline '${p.name}': its pipeline topology '${p.topologyName}' is gone; set it again`, undefined, 'InvalidResource');
  }
  const imported = importForPipeline(deps.importTopology, topology, p.name, p.parameters);
  for (const [cameraId, policy] of Object.entries(imported.policies)) {
    try {
      assertRetentionWithinMax(parseRecordingPolicy(policy), deps.settings.retentionMaxMs, `camera '${cameraId}'`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      throw new ValidationError(`live pipeline '${p.name}': ${err.message}`, [{ code: err.code, target: `livePipelines/${p.name}`, message: err.message }], 'InvalidResource');
    }
  }
  return imported;
}

/**
 * Activate: each camera's policy, then the command; deactivate: the command. The command id comes from the pipeline
 * and generation, so sending it again is applied once.
 * @param d the decision's generation is the command's
 * @param imported the imported topology for an activate command; undefined for deactivate
 * @throws TransientError when storage or the broker fails
 */
export async function sendCommand(p: StoredPipeline, d: Pick<TransitionDecision, 'generation'>, imported: ImportedTopology | undefined, deps: TransitionDeps, context: InvocationContext): Promise<void> {
  const nowMs = deps.now();
  if (!imported) {
    await deps.deviceCommands.send([{ deviceId: p.deviceId, cameraId: p.cameraIds[0], event: pipelineDeactivateCommand(p.name, d.generation, p.cameraIds, nowMs) }]);
    return;
  }
  for (const [cameraId, policy] of Object.entries(imported.policies)) {
    await deps.policies.put(cameraId, parseRecordingPolicy(policy), { nowMs });
    context.log('camera policy stored for live pipeline', { deviceId: p.deviceId, pipeline: p.name, cameraId });
  }
  const cameraId = String(imported.cameras[0]?.id ?? p.cameraIds[0]);
  await deps.deviceCommands.send([{ deviceId: p.deviceId, cameraId, event: await activateCommand(deps.devices, p, d.generation, imported, nowMs) }]);
}

async function waitForReport(deviceId: string, name: string, deps: TransitionDeps): Promise<StoredPipeline> {
  const deadline = deps.now() + deps.settings.pipelineStateWaitMs;
  for (;;) {
    const p = await deps.pipelines.getPipeline(deviceId, name);
    if (!p) throw new NotFoundError(`live pipeline '${name}' of device '${deviceId}' was deleted meanwhile`);
    if ((p.state !== 'activating' && p.state !== 'deactivating') || deps.now() >= deadline) return p;
    await new Promise((r) => setTimeout(r, Math.min(STATE_POLL_MS, Math.max(0, deadline - deps.now()))));
  }
}
