import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { assertId } from '../../shared/ids';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { json, keyedErrors, parameterRef, type RouteSpec } from '../openapi/route-spec';
import { CameraPolicy } from '../openapi/components';
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

/** `GET /api/cameras/{cameraId}/policy`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'GET',
  path: '/cameras/{cameraId}/policy',
  operationId: 'camera-policy-get',
  summary: "A camera's retention policy (the defaults when none is stored)",
  tags: ['retention'],
  access: ACCESS.operator,
  parameters: [parameterRef('cameraId')],
  responses: {
    '200': { description: 'the policy (or the defaults)', headers: { ETag: { description: 'version for If-Match; absent for the defaults', schema: { type: 'string' } } }, content: json(CameraPolicy) },
    ...keyedErrors(400),
  },
};

registerHttp(route, (request, context) => cameraPolicyGet(request, context));
