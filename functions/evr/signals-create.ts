import { randomUUID } from 'node:crypto';
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { NotFoundError } from '../../shared/errors';
import { assertId } from '../../shared/ids';
import { signalFromHttp } from '../../shared/contracts/signals';
import { toIso } from '../../shared/time';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { json, keyedErrors, parameterRef, type RouteSpec } from '../openapi/route-spec';
import { SignalAcceptedSchema, SignalRequest } from '../openapi/components';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { runEvrCameraStep, type EvrStepDeps } from './evr-camera-step';
import { cameraOwner } from '../devices/device-provisioning';
import { errorResponse } from '../http/http-errors';
import { readJsonBody } from '../http/http-json-body';

/** The answer of {@link signalsCreate}. */
export interface SignalAccepted {
  id: string;
  cameraId: string;
  type: string;
  /** The signal's media time (ISO 8601 UTC, ms). */
  time: string;
  /** True when the camera's policy records by signals (EVR, or CVR with `cvr.signalRecordings`) and the signal counts under its filters (it reached the signal gate). */
  recording: boolean;
}

/**
 * `POST /api/cameras/{cameraId}/signals` (function key), body an external signal (shared/contracts/signals.ts
 * `externalSignalSchema`: `{"type","time"?,"id"?,"end"?,"label"?,"confidence"?,"properties"?}`) → `202
 * {"id","cameraId","type","time","recording"}`. The signal goes through the camera's EVR policy at once
 * (functions/evr/evr-camera-step.ts): it is held by the signal gate until the camera's media time (its
 * `segment.recorded` events) passes it by the evaluation window. Its device is the gate row's, the kwCameras row's, or
 * the provisioned device that records the camera (functions/devices/device-provisioning.ts `cameraOwner`: a camera a live
 * pipeline's activation just gave a device takes signals before its first segment is reported).
 * A camera whose policy records no signals (neither EVR nor CVR with `cvr.signalRecordings`) gets `recording: false`
 * and nothing is stored; otherwise the signal is stored (`GET /cameras/{cameraId}/signals`), and a signal its filters
 * do not count gets `recording: false`. Idempotent on `id` (a retry with the same id changes nothing); without `id`, each POST is a new
 * signal (`http-{uuid}`).
 * Errors: 400 `InvalidCameraId`, `MissingBody`, `PayloadTooLarge`, `InvalidJson`, `InvalidSignal` (naming each bad or
 * unknown key); 404 `CameraNotFound` (no device known for it: no gate row, never recorded, no provisioned device records it); 503 storage or broker.
 */
export async function signalsCreate(
  request: HttpRequest,
  context: InvocationContext,
  deps: EvrStepDeps & Pick<FunctionsDeps, 'cameras' | 'devices'> = defaultDeps(),
): Promise<HttpResponseInit> {
  try {
    const cameraId = assertId('camera', request.params.cameraId ?? '');
    const signal = signalFromHttp(cameraId, await readJsonBody(request), deps.now(), () => `http-${randomUUID()}`);
    const gate = await deps.gates.get(cameraId);
    const deviceId = gate ? undefined : ((await deps.cameras.getCamera(cameraId))?.deviceId ?? (await cameraOwner(deps.devices, cameraId)));
    if (!gate && !deviceId) throw new NotFoundError(`camera '${cameraId}' is unknown: no device has reported it or is provisioned for it`, 'CameraNotFound');
    const result = await runEvrCameraStep({ cameraId, signals: [signal] }, context, deps, deviceId);
    const recording = result.evr && result.counted > 0;
    context.log('http signal accepted', { cameraId, signalId: signal.id, type: signal.type, recording });
    const body: SignalAccepted = { id: signal.id, cameraId, type: signal.type, time: toIso(signal.atMs), recording };
    return { status: 202, jsonBody: body, headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `POST /api/cameras/{cameraId}/signals`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'POST',
  path: '/cameras/{cameraId}/signals',
  operationId: 'signals-create',
  summary: 'Sends an external signal (a door sensor, an alarm) to the camera\'s EVR policy',
  description:
    'The signal goes to the camera\'s signal gate (AVA signal gate rules); a recording opens once the camera\'s media time passes it by the evaluation window. ' +
    '`recording` is false when the camera\'s policy records no signals (neither EVR nor CVR with signal recordings: nothing stored) or its filters do not count the signal. Idempotent on `id`.',
  tags: ['evr'],
  access: ACCESS.signals,
  parameters: [parameterRef('cameraId')],
  requestBody: SignalRequest,
  responses: {
    '202': { description: 'accepted', content: json(SignalAcceptedSchema) },
    ...keyedErrors(400, 404),
  },
};

registerHttp(route, (request, context) => signalsCreate(request, context));
