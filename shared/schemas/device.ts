import { z } from 'zod';
import { parseSegmentBlobName } from '../contracts/blob-naming';
import { ValidationError } from '../errors';
import { ID_PATTERN } from '../ids';
import { parseWith } from '../validation/format-issues';

/** Most cameras one device may be provisioned with (a bound on the row and on the ownership check, not a measured limit). */
export const DEVICE_CAMERAS_MAX = 64;
/** Most blob names one `upload-urls` request may ask for (docs/contracts.md "Device upload URLs"). */
export const UPLOAD_URLS_MAX_BLOBS = 100;

/**
 * Body of `POST /api/devices` (provisioning, API key): `{ deviceId, cameras: [cameraId, ...] }`, ids
 * `[a-z0-9-]{1,32}`, 1..{@link DEVICE_CAMERAS_MAX} cameras, no duplicates. Unknown keys are a 400.
 */
export const deviceProvisionBodySchema = z.strictObject({
  deviceId: z.string().regex(ID_PATTERN, 'a device id: 1 to 32 characters from a-z, 0-9 and -'),
  cameras: z
    .array(z.string().regex(ID_PATTERN, 'a camera id: 1 to 32 characters from a-z, 0-9 and -'))
    .min(1)
    .max(DEVICE_CAMERAS_MAX)
    .meta({ description: '1..64 camera ids, no duplicates; a camera belongs to one device' }),
});

/** A validated provisioning request; `cameras` sorted. */
export interface DeviceProvisionRequest {
  deviceId: string;
  cameras: string[];
}

/**
 * Validates a provisioning body.
 * @throws ValidationError `InvalidDevice` for a wrong shape, a bad id or an unknown key; `DuplicateCamera`
 */
export function parseDeviceProvisionBody(input: unknown): DeviceProvisionRequest {
  const body = parseWith(deviceProvisionBodySchema, input, 'device', 'InvalidDevice');
  const cameras = [...body.cameras].sort();
  const dup = cameras.find((c, i) => i > 0 && cameras[i - 1] === c);
  if (dup !== undefined) throw new ValidationError(`device 'cameras' lists camera '${dup}' twice`, undefined, 'DuplicateCamera');
  return { deviceId: body.deviceId, cameras };
}

/**
 * Body of `POST /api/devices/{deviceId}/upload-urls` (device secret): `{ blobs: [name, ...] }`, 1..
 * {@link UPLOAD_URLS_MAX_BLOBS} canonical segment blob names (`{cameraId}/{yyyy}/{MM}/{dd}/{HH}/{startIso}.ts`,
 * shared/contracts/blob-naming.ts). Unknown keys are a 400.
 */
export const uploadUrlsBodySchema = z.strictObject({
  blobs: z
    .array(
      // The pattern documents what parseUploadUrlsBody checks (shared/contracts/blob-naming.ts); zod checks the length.
      z
        .string()
        .max(256)
        .meta({
          pattern: '^[a-z0-9-]{1,32}/\\d{4}/\\d{2}/\\d{2}/\\d{2}/\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z\\.ts$',
          examples: ['cam1/2026/11/21/10/2026-11-21T10:00:00.000Z.ts'],
        }),
    )
    .min(1)
    .max(UPLOAD_URLS_MAX_BLOBS)
    .meta({ description: '1..100 segment blob names `{cameraId}/{yyyy}/{MM}/{dd}/{HH}/{startIso}.ts` (UTC), no duplicates' }),
});

/**
 * Validates an upload-urls body: every name canonical, no duplicates (camera ownership is the handler's check).
 * @returns the names, in request order, with each one's camera and start (epoch ms UTC)
 * @throws ValidationError `InvalidUploadUrlsRequest` (shape, count, unknown key), `InvalidBlobName` naming the first
 *   bad name and its index, `DuplicateBlobName`
 */
export function parseUploadUrlsBody(input: unknown): Array<{ name: string; cameraId: string; startMs: number }> {
  const body = parseWith(uploadUrlsBodySchema, input, 'upload-urls request', 'InvalidUploadUrlsRequest');
  const seen = new Set<string>();
  return body.blobs.map((name, i) => {
    const parsed = parseSegmentBlobName(name);
    if (!parsed) {
      throw new ValidationError(
        `blobs[${i}] ${JSON.stringify(name.slice(0, 120))} is not a segment blob name ({cameraId}/{yyyy}/{MM}/{dd}/{HH}/{startIso}.ts, UTC)`,
        undefined,
        'InvalidBlobName',
      );
    }
    if (seen.has(name)) throw new ValidationError(`blobs[${i}] ${JSON.stringify(name)} is listed twice`, undefined, 'DuplicateBlobName');
    seen.add(name);
    return { name, cameraId: parsed.cameraId, startMs: parsed.startMs };
  });
}
