import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { parseTopologyBody } from '../../shared/pipelines/pipeline-bodies';
import { decideSetTopology, lifecycleView, secretParameterNames } from '../../shared/pipelines/pipeline-lifecycle';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { json, keyedErrors, parameterRef, type RouteSpec } from '../openapi/route-spec';
import { PipelineTopology, PipelineTopologyRequest } from '../openapi/components';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';
import { readJsonBody } from '../http/http-json-body';
import { withEtagRetry } from './etag-retry';
import { checkTopology } from './pipeline-import';
import { topologyResource } from './pipeline-resources';
import { routeParams } from './route-params';

/**
 * `PUT /api/devices/{deviceId}/pipelineTopologies/{name}` (function key; AVA pipelineTopologySet), body an AVA/LVA
 * topology document as in Microsoft's sample files (`{ "@apiVersion"?, name?, properties: { parameters, sources,
 * processors, sinks } }`; `@apiVersion` ignored) → `201` (new) or `200` (updated) with the TopologyResource.
 * The topology is checked with the topology import (unsupported nodes refused at once). Updating a topology that live
 * pipelines reference follows AVA (shared/pipelines/pipeline-lifecycle.ts `decideSetTopology`); those pipelines then
 * hide the values of the parameters the new version declares SecretString ({@link hideNewSecrets}, after the topology
 * is stored).
 * Errors: 400 `InvalidDeviceId`, `InvalidName`, `MissingBody`, `InvalidJson`, `InvalidResource` (with `details` naming
 * unsupported nodes); 409 `PipelineTopologyInUse`, `ModuleLimitExceeded` (50 topologies), `Conflict`; 503. Nothing is
 * stored on an error, except when hiding the pipelines' new secrets fails after the topology was stored (`Conflict` or
 * 503): repeating the PUT finishes it.
 */
export async function pipelineTopologyPut(
  request: HttpRequest,
  context: InvocationContext,
  deps: Pick<FunctionsDeps, 'pipelines' | 'importTopology' | 'now'> = defaultDeps(),
): Promise<HttpResponseInit> {
  try {
    const { deviceId, name } = routeParams(request, 'pipeline topology');
    const body = parseTopologyBody(name, await readJsonBody(request));
    checkTopology(deps.importTopology, name, body.document, body.parameters);
    const saved = await withEtagRetry(`pipeline topology '${name}'`, async () => {
      const [existing, all, pipelines] = await Promise.all([deps.pipelines.getTopology(deviceId, name), deps.pipelines.listTopologies(deviceId), deps.pipelines.listPipelines(deviceId)]);
      const referencing = pipelines.filter((p) => p.topologyName === name).map(lifecycleView);
      const { status } = decideSetTopology(name, existing !== undefined, all.length, body.parameters, referencing);
      const nowMs = deps.now();
      const stored = { deviceId, name, document: body.document, createdAtMs: existing?.createdAtMs ?? nowMs, lastModifiedAtMs: nowMs };
      await deps.pipelines.saveTopology(stored, existing?.etag);
      context.log('pipeline topology set', { deviceId, name, status });
      return { status, jsonBody: topologyResource({ ...stored, etag: '' }), headers: { 'cache-control': 'no-store' } };
    });
    await hideNewSecrets(deps, deviceId, name, secretParameterNames(body.parameters));
    return saved;
  } catch (err) {
    return errorResponse(err, context);
  }
}

/**
 * The live pipelines on a topology just set hide the values of the parameters it declares SecretString: a String made
 * SecretString stops being returned by GET at once. Names are only ever added (a parameter once secret stays hidden),
 * each pipeline with its own ETag retry, after the topology is stored.
 * @throws ConflictError `Conflict` when a pipeline kept changing; TransientError
 */
async function hideNewSecrets(deps: Pick<FunctionsDeps, 'pipelines'>, deviceId: string, topologyName: string, secret: readonly string[]): Promise<void> {
  if (!secret.length) return;
  for (const listed of await deps.pipelines.listPipelines(deviceId)) {
    if (listed.topologyName !== topologyName) continue;
    await withEtagRetry(`live pipeline '${listed.name}'`, async () => {
      const current = await deps.pipelines.getPipeline(deviceId, listed.name);
      if (!current || current.topologyName !== topologyName) return;
      const { etag, ...p } = current;
      const known = new Set(p.secretParameters.map((n) => n.toLowerCase()));
      const added = secret.filter((n) => !known.has(n.toLowerCase()));
      if (added.length) await deps.pipelines.savePipeline({ ...p, secretParameters: [...p.secretParameters, ...added] }, etag);
    });
  }
}

/** `PUT /api/devices/{deviceId}/pipelineTopologies/{name}`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'PUT',
  path: '/devices/{deviceId}/pipelineTopologies/{name}',
  operationId: 'pipeline-topology-put',
  summary: 'Sets a pipeline topology (AVA pipelineTopologySet)',
  description:
    "Body: an LVA 1.0, LVA 2.0 or AVA 1.1 topology document as in Microsoft's samples (`@apiVersion` ignored). Checked with the topology import: unsupported nodes are refused with 400 `InvalidResource` whose `details` name them. " +
    'An update while live pipelines reference it: 409 `PipelineTopologyInUse` unless they are all inactive, every new parameter without a default is set by each, and no parameter they set was removed. At most 50 per device (409 `ModuleLimitExceeded`).',
  tags: ['pipelines'],
  access: ACCESS.operator,
  parameters: [parameterRef('deviceId'), parameterRef('entityName')],
  requestBody: PipelineTopologyRequest,
  responses: {
    '200': { description: 'updated', content: json(PipelineTopology) },
    '201': { description: 'created', content: json(PipelineTopology) },
    ...keyedErrors(400, 409),
  },
};

registerHttp(route, (request, context) => pipelineTopologyPut(request, context));
