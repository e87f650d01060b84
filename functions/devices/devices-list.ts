import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { json, keyedErrors, type RouteSpec } from '../openapi/route-spec';
import { DeviceList } from '../openapi/components';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { deviceResponse } from './device-response';
import { errorResponse } from '../http/http-errors';

/**
 * `GET /api/devices` (function key) → `200 { devices: DeviceResponse[] }`, sorted by id; never a secret or its hash;
 * revoked devices are left out.
 * Errors: 503 when storage is down.
 */
export async function devicesList(_request: HttpRequest, context: InvocationContext, deps: Pick<FunctionsDeps, 'devices'> = defaultDeps()): Promise<HttpResponseInit> {
  try {
    const devices = await deps.devices.list();
    return { status: 200, jsonBody: { devices: devices.filter((d) => !d.disabled).map(deviceResponse) }, headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `GET /api/devices`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'GET',
  path: '/devices',
  operationId: 'devices-list',
  summary: 'Provisioned devices, sorted by id (never a secret or its hash)',
  tags: ['devices'],
  access: ACCESS.admin,
  responses: { '200': { description: 'the devices', content: json(DeviceList) }, ...keyedErrors() },
};

registerHttp(route, (request, context) => devicesList(request, context));
