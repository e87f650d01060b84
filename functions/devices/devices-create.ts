import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { parseDeviceProvisionBody } from '../../shared/schemas/device';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { errorAnswer, json, keyedErrors, type RouteSpec } from '../openapi/route-spec';
import { DeviceRequest, ProvisionedDevice } from '../openapi/components';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { provisionDevice } from './device-provisioning';
import { deviceResponse } from './device-response';
import { errorResponse } from '../http/http-errors';
import { readJsonBody } from '../http/http-json-body';

/**
 * `POST /api/devices` (function key), body `{ deviceId, cameras: [cameraId, ...] }` (shared/schemas/device.ts) →
 * `201 { ...DeviceResponse, secret }` with `Location`. The secret (43 base64url characters, 256 bits) is in this answer
 * only: the cloud keeps its SHA-256. The device sends it as `Authorization: Bearer {secret}` to
 * `POST /api/devices/{deviceId}/upload-urls`, and as its MQTT password to the local broker (docs/devices.md).
 * Errors: 400 `MissingBody`, `InvalidJson`, `InvalidDevice`, `DuplicateCamera`; 409 `DeviceExists`, `CameraOwned`;
 * 503 when storage is down.
 */
export async function devicesCreate(request: HttpRequest, context: InvocationContext, deps: Pick<FunctionsDeps, 'devices' | 'now'> = defaultDeps()): Promise<HttpResponseInit> {
  try {
    const body = parseDeviceProvisionBody(await readJsonBody(request));
    const { device, secret } = await provisionDevice(deps.devices, body, deps.now());
    context.log('device provisioned', { deviceId: device.deviceId, cameras: device.cameras.length });
    return {
      status: 201,
      jsonBody: { ...deviceResponse(device), secret },
      headers: { 'cache-control': 'no-store', location: `/api/devices/${device.deviceId}` },
    };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `POST /api/devices`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'POST',
  path: '/devices',
  operationId: 'devices-create',
  summary: 'Provisions a device: a new device secret, shown once, and the cameras it may record',
  description: 'The cloud stores only the secret\'s SHA-256. 409 `DeviceExists` when the id is taken, `CameraOwned` when another device records one of the cameras.',
  tags: ['devices'],
  access: ACCESS.admin,
  requestBody: DeviceRequest,
  responses: {
    '201': { description: 'the device, with its secret (this answer only)', content: json(ProvisionedDevice) },
    '409': errorAnswer('`DeviceExists` or `CameraOwned`'),
    ...keyedErrors(400),
  },
};

registerHttp(route, (request, context) => devicesCreate(request, context));
