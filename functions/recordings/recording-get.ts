import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { recordingHoldId } from '../../shared/recording-hold';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { errorAnswer, json, keyedErrors, parameterRef, type RouteSpec } from '../openapi/route-spec';
import { Recording } from '../openapi/components';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';
import { lookUpRecording, recordingBytes } from './recording-lookup';
import { recordingResponse } from './recording-response';

/**
 * `GET /api/cameras/{cameraId}/recordings/{recordingId}` (function key) → `200 RecordingResponse`
 * (functions/recordings/recording-response.ts).
 * Errors: 400 `InvalidCameraId`, `InvalidRecordingId`; 404 `RecordingNotFound`; 503 when storage is unavailable.
 */
export async function recordingGet(
  request: HttpRequest,
  context: InvocationContext,
  deps: Pick<FunctionsDeps, 'recordings' | 'segmentIndex' | 'holds'> = defaultDeps(),
): Promise<HttpResponseInit> {
  try {
    const r = await lookUpRecording(deps, request.params);
    const [bytes, holds] = await Promise.all([recordingBytes(deps, r), deps.holds.list(r.cameraId)]);
    const held = holds.some((h) => h.id === recordingHoldId(r.id));
    return { status: 200, jsonBody: recordingResponse(r, { bytes, held }), headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `GET /api/cameras/{cameraId}/recordings/{recordingId}`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'GET',
  path: '/cameras/{cameraId}/recordings/{recordingId}',
  operationId: 'recording-get',
  summary: 'One EVR recording',
  tags: ['recordings'],
  access: ACCESS.viewer,
  parameters: [parameterRef('cameraId'), parameterRef('recordingId')],
  responses: {
    '200': { description: 'the recording', content: json(Recording) },
    '404': errorAnswer('`RecordingNotFound`'),
    ...keyedErrors(400),
  },
};

registerHttp(route, (request, context) => recordingGet(request, context));
