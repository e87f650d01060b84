import type { HttpResponseInit } from '@azure/functions';
import type { StoredPolicy } from '../adapters/table/table-policy-store';
import { defaultRecordingPolicy, type RecordingPolicyDocument } from '../../shared/schemas/recording-policy';
import { toIso } from '../../shared/time';

/**
 * Body of `GET` and `PUT /api/cameras/{cameraId}/policy`. `isDefault: true` means the camera has no stored policy and
 * `policy` shows the defaults that apply (archive = `KEEPWATCH_RETENTION_DEFAULT`); then there is no `updatedAt` and
 * no `ETag` header.
 */
export interface CameraPolicyResponse {
  cameraId: string;
  policy: RecordingPolicyDocument;
  isDefault: boolean;
  /** ISO 8601 UTC of the last change; absent for the defaults. */
  updatedAt?: string;
}

/** The 200 answer for a stored policy (with its `ETag`) or for the defaults. */
export function cameraPolicyResponse(cameraId: string, stored: StoredPolicy | undefined, defaultArchive: string): HttpResponseInit {
  const body: CameraPolicyResponse = stored
    ? { cameraId, policy: stored.document, isDefault: false, updatedAt: toIso(stored.updatedAtMs) }
    : { cameraId, policy: defaultRecordingPolicy(defaultArchive), isDefault: true };
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  if (stored) headers.etag = stored.etag;
  return { status: 200, jsonBody: body, headers };
}
