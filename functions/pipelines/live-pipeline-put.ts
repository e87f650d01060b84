import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { ValidationError } from '../../shared/errors';
import { parsePipelineBody } from '../../shared/pipelines/pipeline-bodies';
import { decideSetPipeline, lifecycleView, secretParameterNames } from '../../shared/pipelines/pipeline-lifecycle';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { json, keyedErrors, parameterRef, type RouteSpec } from '../openapi/route-spec';
import { LivePipeline, LivePipelineRequest } from '../openapi/components';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';
import { readJsonBody } from '../http/http-json-body';
import { withEtagRetry } from './etag-retry';
import { importForPipeline } from './pipeline-import';
import { pipelineResource } from './pipeline-resources';
import { routeParams } from './route-params';

/**
 * `PUT /api/devices/{deviceId}/livePipelines/{name}` (function key; AVA livePipelineSet), body `{ "@apiVersion"?,
 * name?, properties: { topologyName, description?, parameters: [{ name, value }] } }` → `201` (new, state `inactive`)
 * or `200` (updated; only while inactive) with the PipelineResource. Revalidated on every set: the topology is
 * imported with the parameters (shared/topology/import-topology.ts), so a missing, undeclared or bad parameter is
 * refused here rather than at activation.
 * Errors: 400 `InvalidDeviceId`, `InvalidName`, `MissingBody`, `InvalidJson`, `InvalidResource` (bad body; the
 * topology is not set on the device; the import's error in `details[0].code`, e.g. `MissingParameter`; another live
 * pipeline of the device records the same camera id, e.g. `Lobby` and `lobby`); 409
 * `OperationNotAllowedInState`, `ModuleLimitExceeded` (1000 live pipelines), `Conflict`; 503. Nothing is stored on an
 * error.
 */
export async function livePipelinePut(
  request: HttpRequest,
  context: InvocationContext,
  deps: Pick<FunctionsDeps, 'pipelines' | 'importTopology' | 'now'> = defaultDeps(),
): Promise<HttpResponseInit> {
  try {
    const { deviceId, name } = routeParams(request, 'live pipeline');
    const body = parsePipelineBody(name, await readJsonBody(request));
    return await withEtagRetry(`live pipeline '${name}'`, async () => {
      const [topology, existing] = await Promise.all([deps.pipelines.getTopology(deviceId, body.topologyName), deps.pipelines.getPipeline(deviceId, name)]);
      if (!topology) throw new ValidationError(`live pipeline '${name}': device '${deviceId}' has no pipeline topology '${body.topologyName}'; set it first`, [{ code: 'ResourceValidationError', target: 'properties.topologyName', message: 'topology not found' }], 'InvalidResource');
      const others = (await deps.pipelines.listPipelines(deviceId)).filter((p) => p.name !== name);
      const { status } = decideSetPipeline(existing && lifecycleView(existing), others.length);
      const imported = importForPipeline(deps.importTopology, topology, name, body.parameters);
      // Camera ids come from pipeline names (lower-cased): 'Lobby' and 'lobby' would record into one archive.
      for (const c of imported.cameras) {
        const owner = others.find((p) => p.cameraIds.includes(String(c.id)));
        if (owner) throw new ValidationError(`live pipeline '${name}' would record camera '${String(c.id)}', which live pipeline '${owner.name}' records; choose another name`, [{ code: 'ResourceValidationError', target: 'name', message: 'camera id in use' }], 'InvalidResource');
      }
      const secretParameters = secretParameterNames(topology.document.properties.parameters);
      const nowMs = deps.now();
      const stored = {
        deviceId,
        name,
        topologyName: body.topologyName,
        ...(body.description !== undefined ? { description: body.description } : {}),
        parameters: body.parameters,
        secretParameters,
        state: existing?.state ?? ('inactive' as const),
        generation: existing?.generation ?? 0,
        cameraIds: imported.cameras.map((c) => String(c.id)),
        createdAtMs: existing?.createdAtMs ?? nowMs,
        lastModifiedAtMs: nowMs,
      };
      // At the topology's version just imported: a topology updated or deleted meanwhile makes this a retry.
      await deps.pipelines.savePipeline(stored, existing?.etag, topology.etag);
      context.log('live pipeline set', { deviceId, name, topologyName: body.topologyName, status });
      return { status, jsonBody: pipelineResource({ ...stored, etag: '' }), headers: { 'cache-control': 'no-store' } };
    });
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `PUT /api/devices/{deviceId}/livePipelines/{name}`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'PUT',
  path: '/devices/{deviceId}/livePipelines/{name}',
  operationId: 'live-pipeline-put',
  summary: 'Sets a live pipeline (AVA livePipelineSet)',
  description:
    'Creates it inactive (201) or updates it while inactive (200; 409 `OperationNotAllowedInState` otherwise). Revalidated on every set by importing the topology with the parameters: ' +
    'errors are 400 `InvalidResource` with the import\'s code in `details[0].code` (`MissingParameter`, `UndeclaredParameter`, `InvalidParameter`, `UnsupportedTopologyNode`). At most 1000 per device (409 `ModuleLimitExceeded`).',
  tags: ['pipelines'],
  access: ACCESS.operator,
  parameters: [parameterRef('deviceId'), parameterRef('entityName')],
  requestBody: LivePipelineRequest,
  responses: {
    '200': { description: 'updated', content: json(LivePipeline) },
    '201': { description: 'created, inactive', content: json(LivePipeline) },
    ...keyedErrors(400, 409),
  },
};

registerHttp(route, (request, context) => livePipelinePut(request, context));
