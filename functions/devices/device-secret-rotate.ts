import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { NotFoundError } from '../../shared/errors';
import { deviceSecretSha256 } from '../../shared/device-secret';
import { assertId } from '../../shared/ids';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { json, keyedErrors, parameterRef, type RouteSpec } from '../openapi/route-spec';
import { DeviceSecret } from '../openapi/components';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { newDeviceSecret } from './device-provisioning';
import { errorResponse } from '../http/http-errors';

/**
 * `POST /api/devices/{deviceId}/secret` (function key, no body) → `200 { deviceId, secret, secretSetAt }`: a new
 * device secret, shown once; the old one is refused from the next request on, and the device's broker sessions end at
 * once (`deviceSessions`: the local broker closes its connections, so a connection made with the old secret receives
 * no further command; the device reconnects with the new one; in Azure the MQTT credential is its certificate,
 * docs/devices.md "Rotation"). Upload URLs already handed out keep working until they expire. Errors: 400
 * `InvalidDeviceId`; 404 `DeviceNotFound`; 503 when storage or the broker is down.
 */
export async function deviceSecretRotate(request: HttpRequest, context: InvocationContext, deps: Pick<FunctionsDeps, 'devices' | 'deviceSessions' | 'now'> = defaultDeps()): Promise<HttpResponseInit> {
  try {
    const deviceId = assertId('device', request.params.deviceId ?? '');
    const secret = newDeviceSecret();
    const nowMs = deps.now();
    if (!(await deps.devices.replaceSecret(deviceId, deviceSecretSha256(secret), nowMs))) {
      throw new NotFoundError(`device '${deviceId}' is not provisioned`, 'DeviceNotFound');
    }
    // The new secret is stored: answer with it whatever the broker says (it is shown only here).
    const ended = await deps.deviceSessions.end(deviceId, 'rotated').catch((err: unknown) => {
      context.error('device secret rotated but its broker sessions were not ended; rotate again or restart the broker', { deviceId, message: err instanceof Error ? err.message : String(err) });
      return false;
    });
    context.log('device secret rotated', { deviceId, sessionsEnded: ended });
    return { status: 200, jsonBody: { deviceId, secret, secretSetAt: new Date(nowMs).toISOString() }, headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `POST /api/devices/{deviceId}/secret`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'POST',
  path: '/devices/{deviceId}/secret',
  operationId: 'device-secret-rotate',
  summary: 'Rotates the device secret: a new one, shown once; the old one is refused from now on',
  tags: ['devices'],
  access: ACCESS.admin,
  parameters: [parameterRef('deviceId')],
  responses: {
    '200': { description: 'the new secret (this answer only)', content: json(DeviceSecret) },
    ...keyedErrors(400, 404),
  },
};

registerHttp(route, (request, context) => deviceSecretRotate(request, context));
