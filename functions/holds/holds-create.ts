import { randomUUID } from 'node:crypto';
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { ValidationError } from '../../shared/errors';
import { assertId } from '../../shared/ids';
import type { Hold } from '../../shared/ports/hold-store';
import { parseHoldBody } from '../../shared/schemas/hold';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { json, keyedErrors, parameterRef, type RouteSpec } from '../openapi/route-spec';
import { HoldSchema, HoldRequest } from '../openapi/components';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { holdResponse } from './hold-response';
import { errorResponse } from '../http/http-errors';
import { readJsonBody } from '../http/http-json-body';
import { protectHeldSegments } from '../retention/segment-backstop';

/** Holds one camera may have: each retention run reads them all. */
export const MAX_HOLDS_PER_CAMERA = 1000;

/**
 * `POST /api/cameras/{cameraId}/holds` (function key), body `{ start, end, reason? }` (shared/schemas/hold.ts) →
 * `201 HoldResponse` with `Location`. Retention never deletes a segment overlapping a hold (by age or size cap) until
 * the hold is deleted, nor does the storage lifecycle backstop in Azure: the stored segments it covers are re-tagged
 * `held` (functions/retention/segment-backstop.ts) before the answer. Not idempotent: each POST makes a new hold with a new id;
 * when the re-tagging fails the answer is 503 and the hold stays (POST again to finish the protection).
 * Errors: 400 `InvalidCameraId`, `MissingBody`, `InvalidJson`, `InvalidHold` (naming bad or unknown keys),
 * `InvalidDateTime`, `InvalidRange`, `TooManyHolds` (over {@link MAX_HOLDS_PER_CAMERA}); 503 when storage is down.
 */
export async function holdsCreate(
  request: HttpRequest,
  context: InvocationContext,
  deps: Pick<FunctionsDeps, 'holds' | 'now' | 'segmentBlobTags' | 'segmentIndex'> = defaultDeps(),
): Promise<HttpResponseInit> {
  try {
    const cameraId = assertId('camera', request.params.cameraId ?? '');
    const body = parseHoldBody(await readJsonBody(request));
    const existing = await deps.holds.list(cameraId);
    if (existing.length >= MAX_HOLDS_PER_CAMERA) {
      throw new ValidationError(`camera '${cameraId}' already has ${existing.length} holds, the maximum is ${MAX_HOLDS_PER_CAMERA}; delete some first`, undefined, 'TooManyHolds');
    }
    const hold: Hold = { id: randomUUID(), cameraId, startMs: body.startMs, endMs: body.endMs, createdAtMs: deps.now() };
    if (body.reason !== undefined) hold.reason = body.reason;
    await deps.holds.create(hold);
    const protectedSegments = await protectHeldSegments(cameraId, hold, deps);
    context.log('hold created', { cameraId, holdId: hold.id, protectedSegments });
    return {
      status: 201,
      jsonBody: holdResponse(hold),
      headers: { 'cache-control': 'no-store', location: `/api/cameras/${cameraId}/holds/${hold.id}` },
    };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `POST /api/cameras/{cameraId}/holds`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'POST',
  path: '/cameras/{cameraId}/holds',
  operationId: 'holds-create',
  summary: 'Puts a time range on hold',
  tags: ['retention'],
  access: ACCESS.operator,
  parameters: [parameterRef('cameraId')],
  requestBody: HoldRequest,
  responses: {
    '201': { description: 'the hold', content: json(HoldSchema) },
    ...keyedErrors(400),
  },
};

registerHttp(route, (request, context) => holdsCreate(request, context));
