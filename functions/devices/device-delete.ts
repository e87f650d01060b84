import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { NotFoundError } from '../../shared/errors';
import { assertId } from '../../shared/ids';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { keyedErrors, parameterRef, type RouteSpec } from '../openapi/route-spec';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';

/**
 * `DELETE /api/devices/{deviceId}` (function key) → `204`: revokes the device. Its secret is refused from the next
 * request on (401, like an unknown device); upload URLs already handed out keep working until they expire (at most
 * `KEEPWATCH_DEVICE_SAS_TTL`, default 15 min); its stored segments stay. The row stays as a tombstone (TableDeviceStore
 * `revoke`) so that ingest dead-letters the device's events for any camera; the API treats it as gone (404), its
 * cameras may go to another device, and the id may be provisioned again. Then its broker sessions end at once
 * (`deviceSessions`, local broker: connections closed, persistent session dropped, so no further command reaches it);
 * in Azure the operator disables its Event Grid client (docs/devices.md "Revocation"), which a warning recalls. They are
 * ended on a repeated DELETE too (a 404), so a retry after a failure finishes the job. Errors: 400 `InvalidDeviceId`;
 * 404 `DeviceNotFound`; 503 when storage or the broker is down.
 */
export async function deviceDelete(request: HttpRequest, context: InvocationContext, deps: Pick<FunctionsDeps, 'devices' | 'deviceSessions'> = defaultDeps()): Promise<HttpResponseInit> {
  try {
    const deviceId = assertId('device', request.params.deviceId ?? '');
    // The secret first: a CONNECT after this is refused; then the connections made before it are closed.
    const revoked = await deps.devices.revoke(deviceId);
    const ended = await deps.deviceSessions.end(deviceId, 'revoked');
    if (!revoked) throw new NotFoundError(`device '${deviceId}' is not provisioned`, 'DeviceNotFound');
    if (!ended) context.warn('device revoked; disable its Event Grid MQTT client to end its sessions (docs/devices.md)', { deviceId });
    context.log('device revoked', { deviceId, sessionsEnded: ended });
    return { status: 204, headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `DELETE /api/devices/{deviceId}`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'DELETE',
  path: '/devices/{deviceId}',
  operationId: 'device-delete',
  summary: 'Revokes a device: its secret is refused from now on; upload URLs already issued live until they expire',
  tags: ['devices'],
  access: ACCESS.admin,
  parameters: [parameterRef('deviceId')],
  responses: {
    '204': { description: 'revoked' },
    ...keyedErrors(400, 404),
  },
};

registerHttp(route, (request, context) => deviceDelete(request, context));
