import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { NotFoundError, ValidationError } from '../../shared/errors';
import { assertId } from '../../shared/ids';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { keyedErrors, parameterRef, type RouteSpec } from '../openapi/route-spec';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';

/** Hold ids are UUIDs (holds-create.ts); anything else cannot name a hold (and must not reach a Table key). */
const HOLD_ID = /^[a-z0-9-]{1,64}$/;

/**
 * `DELETE /api/cameras/{cameraId}/holds/{holdId}` (function key) → `204`; the next retention run may then delete
 * what the hold protected. Errors: 400 `InvalidCameraId`, `InvalidHoldId`; 404 `HoldNotFound`; 503 when storage is
 * unavailable.
 */
export async function holdDelete(request: HttpRequest, context: InvocationContext, deps: Pick<FunctionsDeps, 'holds'> = defaultDeps()): Promise<HttpResponseInit> {
  try {
    const cameraId = assertId('camera', request.params.cameraId ?? '');
    const holdId = request.params.holdId ?? '';
    if (!HOLD_ID.test(holdId)) throw new ValidationError(`hold id ${JSON.stringify(holdId.slice(0, 80))} is invalid: use the id POST returned`, undefined, 'InvalidHoldId');
    if (!(await deps.holds.remove(cameraId, holdId))) throw new NotFoundError(`camera '${cameraId}' has no hold '${holdId}'`, 'HoldNotFound');
    context.log('hold deleted', { cameraId, holdId });
    return { status: 204, headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `DELETE /api/cameras/{cameraId}/holds/{holdId}`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'DELETE',
  path: '/cameras/{cameraId}/holds/{holdId}',
  operationId: 'hold-delete',
  summary: 'Releases a hold',
  tags: ['retention'],
  access: ACCESS.operator,
  parameters: [parameterRef('cameraId'), { name: 'holdId', in: 'path', required: true, description: 'id of the hold', schema: { type: 'string' } }],
  responses: {
    '204': { description: 'released' },
    ...keyedErrors(400, 404),
  },
};

registerHttp(route, (request, context) => holdDelete(request, context));
