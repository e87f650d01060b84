import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { bearerDeviceSecret, deviceSecretMatches } from '../../shared/device-secret';
import { checkDeviceTime, deviceTimeWindow } from '../../shared/device-time-window';
import { ForbiddenError, UnauthorizedError } from '../../shared/errors';
import { assertId } from '../../shared/ids';
import type { DeviceRecord } from '../adapters/table/table-device-store';
import { parseUploadUrlsBody } from '../../shared/schemas/device';
import { toIso } from '../../shared/time';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { errorAnswer, json, parameterRef, responseRef, type RouteSpec } from '../openapi/route-spec';
import { UploadUrls, UploadUrlsRequest } from '../openapi/components';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';
import { readJsonBody } from '../http/http-json-body';

/** One entry of the upload-urls answer: a create-only URL, or the stored blob when it already exists. */
export type UploadUrlEntry = { name: string; url: string } | { name: string; exists: true; bytes: number; sha256?: string };

/** The upload-urls answer (docs/contracts.md "Device upload URLs"). */
export interface UploadUrlsResponse {
  /** ISO 8601 UTC; every `url` works until then (the SAS `se` is this instant rounded up to the second). */
  expiresOn: string;
  /** One entry per requested name, in request order. */
  blobs: UploadUrlEntry[];
}

/**
 * `POST /api/devices/{deviceId}/upload-urls` — anonymous at the Functions level: the caller is a device, authenticated
 * by `Authorization: Bearer {deviceSecret}` (docs/devices.md). Body `{ blobs: [name, ...] }`: 1..100 canonical segment
 * blob names (shared/contracts/blob-naming.ts) of cameras the device owns, each starting within [now − `KEEPWATCH_OFFLINE_HORIZON`,
 * now + 5 min] (shared/device-time-window.ts: no segment dated 9999). Answer `200 UploadUrlsResponse`: per name either a
 * blob-scoped, create-only SAS URL (`sp=c`, `sr=b`, living `KEEPWATCH_DEVICE_SAS_TTL`, default PT15M) to PUT the
 * segment with `If-None-Match: *`, or — when the blob exists already (an upload whose answer was lost; a `c` SAS cannot
 * retry, Azurite answers 403: docs/security.md) — `{ exists: true, bytes, sha256 }` from the blob's properties, read
 * with the cloud's identity. Nothing is signed unless every name passes.
 * Errors: 400 `InvalidDeviceId`, `MissingBody`, `InvalidJson`, `InvalidUploadUrlsRequest`, `InvalidBlobName`,
 * `DuplicateBlobName`, `TimeOutOfRange`; 401 `Unauthorized` for a missing or wrong secret, an unknown or a disabled device (one answer
 * for all four); 403 `CameraNotOwned`; 503 when storage is down. The secret is never logged.
 */
export async function deviceUploadUrls(
  request: HttpRequest,
  context: InvocationContext,
  deps: Pick<FunctionsDeps, 'devices' | 'sasSigner' | 'segmentBlobStat' | 'settings' | 'now'> = defaultDeps(),
): Promise<HttpResponseInit> {
  try {
    const deviceId = assertId('device', request.params.deviceId ?? '');
    const device = await authenticate(deps, deviceId, request.headers.get('authorization'));
    const blobs = parseUploadUrlsBody(await readJsonBody(request));
    const owned = new Set(device.cameras);
    const foreign = blobs.find((b) => !owned.has(b.cameraId));
    if (foreign) {
      throw new ForbiddenError(`device '${deviceId}' does not record camera '${foreign.cameraId}' (blob ${foreign.name}); nothing was signed`, 'CameraNotOwned');
    }
    const window = deviceTimeWindow(deps.now(), deps.settings.offlineHorizonMs);
    for (const b of blobs) checkDeviceTime(b.startMs, window, `blob ${b.name}: segment start`);
    const names = blobs.map((b) => b.name);
    const stored = await deps.segmentBlobStat.stat(names);
    const missing = names.filter((_, i) => stored[i] === undefined);
    const expiresOnMs = deps.now() + deps.settings.deviceSasTtlMs;
    const urls = await deps.sasSigner.blobCreateUrls(missing, expiresOnMs);
    let u = 0;
    const entries: UploadUrlEntry[] = names.map((name, i) => {
      const s = stored[i];
      if (s === undefined) return { name, url: urls[u++] };
      return s.sha256 === undefined ? { name, exists: true, bytes: s.bytes } : { name, exists: true, bytes: s.bytes, sha256: s.sha256 };
    });
    context.log('upload urls signed', { deviceId, signed: missing.length, existing: names.length - missing.length });
    return { status: 200, jsonBody: { expiresOn: toIso(expiresOnMs), blobs: entries } satisfies UploadUrlsResponse, headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/**
 * The device whose secret the `Authorization` header carries.
 * @throws UnauthorizedError with one message for a missing header, a wrong secret, an unknown and a disabled device
 */
async function authenticate(deps: Pick<FunctionsDeps, 'devices'>, deviceId: string, authorization: string | null): Promise<DeviceRecord> {
  const secret = bearerDeviceSecret(authorization);
  const device = secret === undefined ? undefined : await deps.devices.get(deviceId);
  // Hash compared even for an unknown device, so timing does not tell the two apart.
  const matches = deviceSecretMatches(secret ?? '', device?.secretSha256 ?? '0'.repeat(64));
  if (!device || device.disabled || !matches) {
    throw new UnauthorizedError(`send this device's secret as 'Authorization: Bearer {deviceSecret}'`, 'Unauthorized');
  }
  return device;
}

/** `POST /api/devices/{deviceId}/upload-urls`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'POST',
  path: '/devices/{deviceId}/upload-urls',
  operationId: 'device-upload-urls',
  summary: 'Create-only upload URLs for the segments a device is about to upload (device secret, not the API key)',
  description:
    'Authenticated by `Authorization: Bearer {deviceSecret}` (no function key). Every name must be a canonical segment blob name of a camera the device owns, else nothing is signed. ' +
    'Per name: a blob-scoped, create-only SAS URL (`sp=c`, `sr=b`, valid until `expiresOn`, `KEEPWATCH_DEVICE_SAS_TTL` default PT15M) to PUT with `If-None-Match: *`, ' +
    'or, when the blob exists already, `exists: true` with its size and the `sha256` metadata. 401 for a missing or wrong secret and for an unknown device alike; 403 `CameraNotOwned`.',
  tags: ['devices'],
  access: ACCESS.deviceSecret,
  parameters: [parameterRef('deviceId')],
  requestBody: UploadUrlsRequest,
  responses: {
    '200': { description: 'one entry per name, in request order', content: json(UploadUrls) },
    '400': responseRef('BadRequest'),
    '401': errorAnswer('`Unauthorized`: the device secret is missing or wrong, or the device is unknown or disabled'),
    '403': errorAnswer('`CameraNotOwned`: a name belongs to a camera this device does not record; nothing was signed'),
    '503': responseRef('ServiceUnavailable'),
  },
};

registerHttp(route, (request, context) => deviceUploadUrls(request, context));
