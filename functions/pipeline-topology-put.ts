import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { parseTopologyBody } from '../shared/pipelines/pipeline-bodies';
import { decideSetTopology, lifecycleView, secretParameterNames } from '../shared/pipelines/pipeline-lifecycle';
import { registerHttp } from './app';
import { defaultDeps, type FunctionsDeps } from './deps';
import { errorResponse } from './http-errors';
import { readJsonBody } from './http-json-body';
import { withEtagRetry } from './pipelines/etag-retry';
import { checkTopology } from './pipelines/pipeline-import';
import { topologyResource } from './pipelines/pipeline-resources';
import { routeParams } from './pipelines/route-params';

/**
 * `PUT /api/devices/{deviceId}/pipelineTopologies/{name}` (function key; AVA pipelineTopologySet), body an AVA/LVA
 * topology document as in Microsoft's sample files (`{ "@apiVersion"?, name?, properties: { parameters, sources,
 * processors, sinks } }`; `@apiVersion` ignored) → `201` (new) or `200` (updated) with the TopologyResource.
 * The topology is checked with the topology import (unsupported nodes refused at once). Updating a topology that live
 * pipelines reference follows AVA (shared/pipelines/pipeline-lifecycle.ts `decideSetTopology`); those pipelines then
 * hide the values of the parameters the new version declares SecretString.
 * Errors: 400 `InvalidDeviceId`, `InvalidName`, `MissingBody`, `InvalidJson`, `InvalidResource` (with `details` naming
 * unsupported nodes); 409 `PipelineTopologyInUse`, `ModuleLimitExceeded` (50 topologies), `Conflict`; 503. Nothing is
 * stored on an error.
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
    return await withEtagRetry(`pipeline topology '${name}'`, async () => {
      const [existing, all, pipelines] = await Promise.all([deps.pipelines.getTopology(deviceId, name), deps.pipelines.listTopologies(deviceId), deps.pipelines.listPipelines(deviceId)]);
      const referencing = pipelines.filter((p) => p.topologyName === name).map(lifecycleView);
      const { status } = decideSetTopology(name, existing !== undefined, all.length, body.parameters, referencing);
      const nowMs = deps.now();
      const stored = { deviceId, name, document: body.document, createdAtMs: existing?.createdAtMs ?? nowMs, lastModifiedAtMs: nowMs };
      await deps.pipelines.saveTopology(stored, existing?.etag);
      // The pipelines on it (all inactive, decideSetTopology) hide the values of the parameters it now declares
      // SecretString: a String made SecretString stops being returned by GET at once.
      const secret = secretParameterNames(body.document.properties.parameters);
      for (const { etag, ...p } of pipelines.filter((x) => x.topologyName === name)) {
        const same = p.secretParameters.length === secret.length && p.secretParameters.every((n) => secret.includes(n));
        if (!same) await deps.pipelines.savePipeline({ ...p, secretParameters: secret }, etag);
      }
      context.log('pipeline topology set', { deviceId, name, status });
      return { status, jsonBody: topologyResource({ ...stored, etag: '' }), headers: { 'cache-control': 'no-store' } };
    });
  } catch (err) {
    return errorResponse(err, context);
  }
}

registerHttp('pipeline-topology-put', {
  methods: ['PUT'],
  route: 'devices/{deviceId}/pipelineTopologies/{name}',
  authLevel: 'function',
  handler: (request, context) => pipelineTopologyPut(request, context),
});
