import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { NotFoundError } from '../shared/errors';
import { assertId } from '../shared/ids';
import { registerHttp } from './app';
import { defaultDeps, type FunctionsDeps } from './deps';
import { errorResponse } from './http-errors';

/**
 * `DELETE /api/devices/{deviceId}` (function key) → `204`: revokes the device. Its secret is refused from the next
 * request on (401, like an unknown device); upload URLs already handed out keep working until they expire (at most
 * `KEEPWATCH_DEVICE_SAS_TTL`, default 15 min); its stored segments stay. The row stays as a tombstone (DeviceStore
 * `revoke`) so that ingest dead-letters the device's events for any camera; the API treats it as gone (404), its
 * cameras may go to another device, and the id may be provisioned again. Its MQTT credential is revoked separately
 * (docs/devices.md). Errors: 400 `InvalidDeviceId`; 404 `DeviceNotFound`; 503 when storage is down.
 */
export async function deviceDelete(request: HttpRequest, context: InvocationContext, deps: Pick<FunctionsDeps, 'devices'> = defaultDeps()): Promise<HttpResponseInit> {
  try {
    const deviceId = assertId('device', request.params.deviceId ?? '');
    if (!(await deps.devices.revoke(deviceId))) throw new NotFoundError(`device '${deviceId}' is not provisioned`, 'DeviceNotFound');
    context.log('device revoked', { deviceId });
    return { status: 204, headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

registerHttp('device-delete', {
  methods: ['DELETE'],
  route: 'devices/{deviceId}',
  authLevel: 'function',
  handler: (request, context) => deviceDelete(request, context),
});
