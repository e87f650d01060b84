import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { NotFoundError, ValidationError } from '../../shared/errors';
import { assertId } from '../../shared/ids';
import { recordingHoldId } from '../../shared/recording-hold';
import { RECORDING_ID_PATTERN } from '../../shared/contracts/upload-window';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { errorAnswer, keyedErrors, parameterRef, type RouteSpec } from '../openapi/route-spec';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';

/**
 * `DELETE /api/cameras/{cameraId}/recordings/{recordingId}/hold` (function key) → `204`: removes the hold
 * `rec-{recordingId}`; the next retention run may then delete the recording's segments. Works even when the
 * recording row is gone (the hold is what matters).
 * Errors: 400 `InvalidCameraId`, `InvalidRecordingId`; 404 `HoldNotFound` when the recording is not held; 503 when
 * storage is unavailable.
 */
export async function recordingHoldDelete(request: HttpRequest, context: InvocationContext, deps: Pick<FunctionsDeps, 'holds'> = defaultDeps()): Promise<HttpResponseInit> {
  try {
    const cameraId = assertId('camera', request.params.cameraId ?? '');
    const recordingId = request.params.recordingId ?? '';
    if (!RECORDING_ID_PATTERN.test(recordingId)) {
      throw new ValidationError(`recording id ${JSON.stringify(recordingId.slice(0, 40))} is invalid: expected {13-digit start ms}-{12 hex digits}`, undefined, 'InvalidRecordingId');
    }
    const holdId = recordingHoldId(recordingId);
    if (!(await deps.holds.remove(cameraId, holdId))) throw new NotFoundError(`recording '${recordingId}' of camera '${cameraId}' is not held`, 'HoldNotFound');
    context.log('recording hold released', { cameraId, recordingId, holdId });
    return { status: 204, headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `DELETE /api/cameras/{cameraId}/recordings/{recordingId}/hold`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'DELETE',
  path: '/cameras/{cameraId}/recordings/{recordingId}/hold',
  operationId: 'recording-hold-delete',
  summary: "Releases a recording's hold",
  tags: ['recordings', 'retention'],
  access: ACCESS.operator,
  parameters: [parameterRef('cameraId'), parameterRef('recordingId')],
  responses: {
    '204': { description: 'released' },
    '404': errorAnswer('`HoldNotFound`: the recording is not held'),
    ...keyedErrors(400),
  },
};

registerHttp(route, (request, context) => recordingHoldDelete(request, context));
