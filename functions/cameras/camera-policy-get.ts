import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { assertId } from '../../shared/ids';
import { registerHttp } from '../app';
import { cameraPolicyResponse } from './camera-policy-response';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';

/**
 * `GET /api/cameras/{cameraId}/policy` (function key) → `200 CameraPolicyResponse` (functions/cameras/camera-policy-response.ts)
 * with `ETag` when a policy is stored; the defaults with `isDefault: true` otherwise (any valid camera id, recorded
 * or not). Errors: 400 `InvalidCameraId`; 503 when storage is unavailable.
 */
export async function cameraPolicyGet(
  request: HttpRequest,
  context: InvocationContext,
  deps: Pick<FunctionsDeps, 'settings' | 'policies'> = defaultDeps(),
): Promise<HttpResponseInit> {
  try {
    const cameraId = assertId('camera', request.params.cameraId ?? '');
    return cameraPolicyResponse(cameraId, await deps.policies.get(cameraId), deps.settings.retentionDefault);
  } catch (err) {
    return errorResponse(err, context);
  }
}

registerHttp('camera-policy-get', {
  methods: ['GET'],
  route: 'cameras/{cameraId}/policy',
  authLevel: 'function',
  handler: (request, context) => cameraPolicyGet(request, context),
});
