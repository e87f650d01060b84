import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { ValidationError } from '../../shared/errors';
import type { Hold } from '../../shared/ports/hold-store';
import { recordingHold } from '../../shared/recording-hold';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { errorAnswer, json, keyedErrors, parameterRef, type RouteSpec } from '../openapi/route-spec';
import { HoldSchema } from '../openapi/components';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { holdResponse } from '../holds/hold-response';
import { MAX_HOLDS_PER_CAMERA } from '../holds/holds-create';
import { errorResponse } from '../http/http-errors';
import { lookUpRecording } from './recording-lookup';
import { protectHeldSegments } from '../retention/segment-backstop';

/**
 * `POST /api/cameras/{cameraId}/recordings/{recordingId}/hold` (function key, no body) → `201 HoldResponse` the first
 * time, `200 HoldResponse` after (idempotent), with `Location: /api/cameras/{cameraId}/holds/rec-{recordingId}`.
 * The hold is an ordinary hold (shared/ports/hold-store.ts) with the deterministic id `rec-{recordingId}` on the
 * recording's window [start, end) (shared/recording-hold.ts), so retention keeps every segment overlapping it; it is
 * listed by `GET .../holds` and released by this route's DELETE or by `DELETE .../holds/rec-{recordingId}`.
 * Holding again after the recording grew widens the hold to the union of both windows (200). Every call re-tags the
 * stored segments the hold covers `held`, so the storage lifecycle backstop never deletes them
 * (functions/retention/segment-backstop.ts); when that fails the answer is 503 and the hold stays: calling again finishes it.
 * Errors: 400 `InvalidCameraId`, `InvalidRecordingId`, `TooManyHolds`; 404 `RecordingNotFound`; 503 when storage is down.
 */
export async function recordingHoldCreate(
  request: HttpRequest,
  context: InvocationContext,
  deps: Pick<FunctionsDeps, 'recordings' | 'holds' | 'now' | 'segmentBlobTags' | 'segmentIndex'> = defaultDeps(),
): Promise<HttpResponseInit> {
  try {
    const r = await lookUpRecording(deps, request.params);
    const want = recordingHold(r, deps.now());
    const existing = await deps.holds.list(r.cameraId);
    const found = existing.find((h) => h.id === want.id);
    let status = 201;
    let hold: Hold = want;
    if (found && found.startMs <= want.startMs && found.endMs >= want.endMs) {
      status = 200;
      hold = found;
    } else if (found) {
      // The recording grew since it was held: widen. Between the delete and the create the range is unheld for a moment.
      hold = { ...want, startMs: Math.min(found.startMs, want.startMs), endMs: Math.max(found.endMs, want.endMs), createdAtMs: found.createdAtMs };
      await deps.holds.remove(r.cameraId, want.id);
      await deps.holds.create(hold);
      status = 200;
    } else {
      if (existing.length >= MAX_HOLDS_PER_CAMERA) {
        throw new ValidationError(`camera '${r.cameraId}' already has ${existing.length} holds, the maximum is ${MAX_HOLDS_PER_CAMERA}; delete some first`, undefined, 'TooManyHolds');
      }
      try {
        await deps.holds.create(want);
      } catch (err) {
        // A concurrent POST created it first (the store refuses a second row with the same id): same outcome.
        const raced = (await deps.holds.list(r.cameraId)).find((h) => h.id === want.id);
        if (!raced) throw err;
        hold = raced;
        status = 200;
      }
    }
    const protectedSegments = await protectHeldSegments(r.cameraId, hold, deps);
    if (status === 201) context.log('recording held', { cameraId: r.cameraId, recordingId: r.id, holdId: hold.id, protectedSegments });
    return {
      status,
      jsonBody: holdResponse(hold),
      headers: { 'cache-control': 'no-store', location: `/api/cameras/${r.cameraId}/holds/${hold.id}` },
    };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `POST /api/cameras/{cameraId}/recordings/{recordingId}/hold`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'POST',
  path: '/cameras/{cameraId}/recordings/{recordingId}/hold',
  operationId: 'recording-hold-create',
  summary: "Holds a recording: retention keeps its segments (idempotent)",
  description:
    "A hold with id `rec-{recordingId}` on the recording's window (listed by GET /holds). 201 the first time, 200 after; holding again after the recording grew widens the hold.",
  tags: ['recordings', 'retention'],
  access: ACCESS.operator,
  parameters: [parameterRef('cameraId'), parameterRef('recordingId')],
  responses: {
    '201': { description: 'held', headers: { Location: { description: '`/api/cameras/{cameraId}/holds/rec-{recordingId}`', schema: { type: 'string' } } }, content: json(HoldSchema) },
    '200': { description: 'already held (the hold, widened if the recording grew)', content: json(HoldSchema) },
    '404': errorAnswer('`RecordingNotFound`'),
    ...keyedErrors(400),
  },
};

registerHttp(route, (request, context) => recordingHoldCreate(request, context));
