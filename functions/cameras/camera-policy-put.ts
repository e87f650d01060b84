import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { assertId } from '../../shared/ids';
import { parseRecordingPolicy } from '../../shared/schemas/recording-policy';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { errorAnswer, json, keyedErrors, parameterRef, type RouteSpec } from '../openapi/route-spec';
import { CameraPolicy, RecordingPolicy } from '../openapi/components';
import { cameraPolicyResponse } from './camera-policy-response';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';
import { readJsonBody } from '../http/http-json-body';
import { assertRetentionWithinMax } from '../retention/retention-max';

/**
 * `PUT /api/cameras/{cameraId}/policy` (function key), body a recording policy document
 * (shared/schemas/recording-policy.ts: `{"retention": {"archive": "P7D", "maximumSizeMiB": 51200}}`) → `200
 * CameraPolicyResponse` with the stored policy and its `ETag`. Idempotent: the same document again changes nothing
 * (same ETag). `If-Match` is optional: with it the write happens only when the stored policy's ETag matches (`*`:
 * any stored policy). Retention takes the new policy at its next run.
 * Errors: 400 `InvalidCameraId`, `MissingBody`, `InvalidJson`, `InvalidPolicy` (naming each bad or unknown key),
 * `RetentionTooLong` (longer than `KEEPWATCH_RETENTION_MAX`: functions/retention/retention-max.ts);
 * 412 `PreconditionFailed`; 503 when storage is unavailable. Nothing is stored on an error.
 */
export async function cameraPolicyPut(
  request: HttpRequest,
  context: InvocationContext,
  deps: Pick<FunctionsDeps, 'settings' | 'policies' | 'now'> = defaultDeps(),
): Promise<HttpResponseInit> {
  try {
    const cameraId = assertId('camera', request.params.cameraId ?? '');
    const document = parseRecordingPolicy(await readJsonBody(request));
    assertRetentionWithinMax(document, deps.settings.retentionMaxMs, `camera '${cameraId}'`);
    const ifMatch = request.headers.get('if-match')?.trim() || undefined;
    const stored = await deps.policies.put(cameraId, document, { ifMatch, nowMs: deps.now() });
    context.log('camera policy stored', { cameraId, archive: document.retention.archive, maximumSizeMiB: document.retention.maximumSizeMiB });
    return cameraPolicyResponse(cameraId, stored, deps.settings.retentionDefault);
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `PUT /api/cameras/{cameraId}/policy`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'PUT',
  path: '/cameras/{cameraId}/policy',
  operationId: 'camera-policy-put',
  summary: "Sets a camera's retention policy (idempotent)",
  tags: ['retention'],
  access: ACCESS.operator,
  parameters: [
    parameterRef('cameraId'),
    { name: 'If-Match', in: 'header', required: false, description: 'ETag of the policy read; 412 when it changed since', schema: { type: 'string' } },
  ],
  requestBody: RecordingPolicy,
  responses: {
    '200': { description: 'the stored policy', content: json(CameraPolicy) },
    '412': errorAnswer('the policy changed since the ETag given in If-Match'),
    ...keyedErrors(400),
  },
};

registerHttp(route, (request, context) => cameraPolicyPut(request, context));
