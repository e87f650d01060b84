import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { NotFoundError } from '../../shared/errors';
import { registerHttp } from '../app';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';
import { pipelineResource } from './pipeline-resources';
import { routeParams } from './route-params';

/**
 * `GET /api/devices/{deviceId}/livePipelines/{name}` (function key; AVA livePipelineGet) → `200 PipelineResource`
 * (`{ name, properties: { topologyName, description?, parameters: [{name, value?}], state, cameraIds }, systemData }`;
 * SecretString parameters without `value`).
 * Errors: 400 `InvalidDeviceId`, `InvalidName`; 404 `NotFound`; 503.
 */
export async function livePipelineGet(request: HttpRequest, context: InvocationContext, deps: Pick<FunctionsDeps, 'pipelines'> = defaultDeps()): Promise<HttpResponseInit> {
  try {
    const { deviceId, name } = routeParams(request, 'live pipeline');
    const p = await deps.pipelines.getPipeline(deviceId, name);
    if (!p) throw new NotFoundError(`device '${deviceId}' has no live pipeline '${name}'`);
    return { status: 200, jsonBody: pipelineResource(p), headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

registerHttp('live-pipeline-get', {
  methods: ['GET'],
  route: 'devices/{deviceId}/livePipelines/{name}',
  authLevel: 'function',
  handler: (request, context) => livePipelineGet(request, context),
});
