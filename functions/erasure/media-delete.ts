import { randomUUID } from 'node:crypto';
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { NotFoundError } from '../../shared/errors';
import { assertId } from '../../shared/ids';
import { parseMediaErasureQuery } from '../../shared/schemas/media-erasure-query';
import { registerHttp } from '../app';
import { dateTimeQuery, errorAnswer, json, keyedErrors, parameterRef, type RouteSpec } from '../openapi/route-spec';
import { MediaErasure } from '../openapi/components';
import { defaultDeps } from '../deps';
import { errorResponse } from '../http/http-errors';
import { eraseRange, mediaErasedData, type ErasureDeps, type ErasureResult } from './erase-range';
import type { MediaErasedData } from '../../shared/contracts/media-erasure';
import { ACCESS } from '../auth/access';

/**
 * The answer of `DELETE /api/cameras/{cameraId}/media`: what the `media.erased` event says (times ISO 8601 UTC with ms,
 * half-open ranges), and whether this request finished an erasure an earlier one had started.
 */
export type MediaErasureResponse = MediaErasedData & { resumed: boolean };

/** The JSON answer of an erasure. */
export function mediaErasureResponse(r: ErasureResult): MediaErasureResponse {
  return { ...mediaErasedData(r), resumed: r.resumed };
}

/**
 * `DELETE /api/cameras/{cameraId}/media?start=ISO&end=ISO` (function key; the same level as the other destructive
 * routes such as `DELETE /api/devices/{deviceId}`) → `200 MediaErasureResponse` once the media is gone: erasure on
 * demand (a privacy request, a mistaken recording) by functions/erasure/erase-range.ts. Every segment overlapping the
 * range is deleted WHOLE (media is never cut): `covered` is the requested range widened to those segments. Blobs,
 * index rows, the availability rollup (so `availableMedia` and playback no longer list it), EVR recording rows wholly
 * inside and the range's other artefacts go; a `media.erased` integration event is published.
 *
 * Synchronous: the answer comes when it is done (≤ 31 days per request). Journalled: if the request dies midway
 * (timeout, crash, storage failing: 503), the same DELETE again, any later erasure of the camera, or the next retention
 * run finishes it; the same range asked again answers that erasure's totals (`resumed: true`). Idempotent: a range with
 * nothing left answers `segments: 0`.
 * Errors: 400 `InvalidCameraId`, `DuplicateParameter`, `InvalidErasureQuery`, `InvalidDateTime`, `InvalidRange`,
 * `RangeTooLong`; 404 `CameraNotFound`; 409 `RangeHeld` (a hold, or a recording's hold, overlaps the covered range;
 * nothing changed), `ErasureInProgress` (another erasure of the camera was accepted at the same moment; retry); 503
 * storage unavailable.
 */
export async function mediaDelete(request: HttpRequest, context: InvocationContext, deps: ErasureDeps = defaultDeps()): Promise<HttpResponseInit> {
  try {
    const cameraId = assertId('camera', request.params.cameraId ?? '');
    const query = new Map<string, string[]>();
    for (const [name, value] of request.query) query.set(name, [...(query.get(name) ?? []), value]);
    const range = parseMediaErasureQuery(query);
    if (!(await deps.cameras.getCamera(cameraId))) {
      throw new NotFoundError(`camera '${cameraId}' is unknown: nothing has been recorded for it`, 'CameraNotFound');
    }
    const result = await eraseRange(cameraId, range, randomUUID(), deps);
    context.log('media erased', { cameraId, erasureId: result.erasureId, segments: result.segments, bytes: result.bytes, resumed: result.resumed });
    return { status: 200, jsonBody: mediaErasureResponse(result), headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `DELETE /api/cameras/{cameraId}/media`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  access: ACCESS.admin,
  method: 'DELETE',
  path: '/cameras/{cameraId}/media',
  operationId: 'media-delete',
  summary: 'Erases a time range of a camera archive (whole segments), unless a hold covers it',
  description:
    'Segments overlapping the range are deleted whole (`covered`); blobs, index rows, availability, recording rows wholly inside and the range artefacts go, and `media.erased` is published. ' +
    'Synchronous, journalled: a request that dies midway is finished by the same request again or the next retention run.',
  tags: ['retention'],
  parameters: [parameterRef('cameraId'), dateTimeQuery('start', true, 'range start'), dateTimeQuery('end', true, 'range end (exclusive)')],
  responses: {
    '200': { description: 'what was erased', content: json(MediaErasure) },
    ...keyedErrors(400, 404),
    '409': errorAnswer('`RangeHeld`: a hold overlaps the covered range; `ErasureInProgress`: another erasure of the camera was accepted at the same moment (retry); nothing changed'),
  },
};

registerHttp(route, (request, context) => mediaDelete(request, context));
