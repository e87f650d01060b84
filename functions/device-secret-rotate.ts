import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { NotFoundError } from '../shared/errors';
import { deviceSecretSha256 } from '../shared/device-secret';
import { assertId } from '../shared/ids';
import { registerHttp } from './app';
import { defaultDeps, type FunctionsDeps } from './deps';
import { newDeviceSecret } from './device-provisioning';
import { errorResponse } from './http-errors';

/**
 * `POST /api/devices/{deviceId}/secret` (function key, no body) → `200 { deviceId, secret, secretSetAt }`: a new
 * device secret, shown once; the old one is refused from the next request on. Upload URLs already handed out keep
 * working until they expire. Errors: 400 `InvalidDeviceId`; 404 `DeviceNotFound`; 503 when storage is down.
 */
export async function deviceSecretRotate(request: HttpRequest, context: InvocationContext, deps: Pick<FunctionsDeps, 'devices' | 'now'> = defaultDeps()): Promise<HttpResponseInit> {
  try {
    const deviceId = assertId('device', request.params.deviceId ?? '');
    const secret = newDeviceSecret();
    const nowMs = deps.now();
    if (!(await deps.devices.replaceSecret(deviceId, deviceSecretSha256(secret), nowMs))) {
      throw new NotFoundError(`device '${deviceId}' is not provisioned`, 'DeviceNotFound');
    }
    context.log('device secret rotated', { deviceId });
    return { status: 200, jsonBody: { deviceId, secret, secretSetAt: new Date(nowMs).toISOString() }, headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

registerHttp('device-secret-rotate', {
  methods: ['POST'],
  route: 'devices/{deviceId}/secret',
  authLevel: 'function',
  handler: (request, context) => deviceSecretRotate(request, context),
});
