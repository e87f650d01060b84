import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { NotFoundError } from '../../shared/errors';
import { assertId } from '../../shared/ids';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { json, keyedErrors, parameterRef, type RouteSpec } from '../openapi/route-spec';
import { Device } from '../openapi/components';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { deviceResponse } from './device-response';
import { errorResponse } from '../http/http-errors';

/**
 * `GET /api/devices/{deviceId}` (function key) → `200 DeviceResponse` (never the secret or its hash).
 * Errors: 400 `InvalidDeviceId`; 404 `DeviceNotFound`; 503 when storage is down.
 */
export async function deviceGet(request: HttpRequest, context: InvocationContext, deps: Pick<FunctionsDeps, 'devices'> = defaultDeps()): Promise<HttpResponseInit> {
  try {
    const deviceId = assertId('device', request.params.deviceId ?? '');
    const device = await deps.devices.get(deviceId);
    if (!device || device.disabled) throw new NotFoundError(`device '${deviceId}' is not provisioned`, 'DeviceNotFound');
    return { status: 200, jsonBody: deviceResponse(device), headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `GET /api/devices/{deviceId}`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'GET',
  path: '/devices/{deviceId}',
  operationId: 'device-get',
  summary: 'One device (never its secret or the secret\'s hash)',
  tags: ['devices'],
  access: ACCESS.admin,
  parameters: [parameterRef('deviceId')],
  responses: {
    '200': { description: 'the device', content: json(Device) },
    ...keyedErrors(400, 404),
  },
};

registerHttp(route, (request, context) => deviceGet(request, context));
