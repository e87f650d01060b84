import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { NotFoundError } from '../../shared/errors';
import { assertId } from '../../shared/ids';
import { registerHttp } from '../app';
import { json, keyedErrors, parameterRef, type RouteSpec } from '../openapi/route-spec';
import { Camera } from '../openapi/components';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';
import { readCameraHealth } from './camera-health-read';
import { cameraItem } from './cameras-list';
import { ACCESS } from '../auth/access';

/**
 * `GET /api/cameras/{cameraId}` (function key) → `200` the camera as `GET /api/cameras` lists it: device, first and
 * last recorded instants, stream info, health now.
 * Errors: 400 `InvalidCameraId`, 404 `CameraNotFound` (nothing recorded for it).
 */
export async function cameraGet(request: HttpRequest, context: InvocationContext, deps?: Pick<FunctionsDeps, 'cameras' | 'health' | 'devices' | 'pipelines' | 'now'>): Promise<HttpResponseInit> {
  try {
    const d = deps ?? defaultDeps();
    const cameraId = assertId('camera', request.params.cameraId ?? '');
    const camera = await d.cameras.getCamera(cameraId);
    if (!camera) throw new NotFoundError(`camera '${cameraId}' is unknown: nothing has been recorded for it`, 'CameraNotFound');
    const [health] = await readCameraHealth([camera], d);
    return { status: 200, jsonBody: cameraItem(camera, health), headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `GET /api/cameras/{cameraId}`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  access: ACCESS.viewer,
  method: 'GET',
  path: '/cameras/{cameraId}',
  operationId: 'camera-get',
  summary: 'One camera: its device, recorded span, stream info and health',
  tags: ['cameras'],
  parameters: [parameterRef('cameraId')],
  responses: {
    '200': { description: 'the camera', content: json(Camera) },
    ...keyedErrors(400, 404),
  },
};

registerHttp(route, (request, context) => cameraGet(request, context));
