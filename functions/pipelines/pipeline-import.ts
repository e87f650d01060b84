import { ValidationError } from '../../shared/errors';
import type { ParameterDeclaration } from '../../shared/pipelines/pipeline-lifecycle';
import type { ImportedTopology, TopologyImporter } from '../../shared/pipelines/topology-importer';
import type { StoredTopology } from '../adapters/table/table-pipeline-store';

/** Import error codes that say the topology itself is unusable, whatever the parameters (see topology-importer.ts). */
const TOPOLOGY_ERRORS = new Set(['UnsupportedTopologyNode', 'InvalidTopology']);

/**
 * Runs the importer for a live pipeline and turns its ValidationError into AVA's answer: 400 `InvalidResource` with
 * `details: [{ code, target, message }]` (AVA's OData error details, docs/reference/ava-behaviour.md "Pipelines",
 * "Errors"), `code` being the importer's (`UnsupportedTopologyNode`, `MissingParameter`, ...) and `target` the live
 * pipeline; the importer's own details (e.g. the unsupported nodes) follow.
 * @throws ValidationError `InvalidResource`
 */
export function importForPipeline(importer: TopologyImporter, topology: StoredTopology, pipelineName: string, parameters: Record<string, string>): ImportedTopology {
  try {
    return importer(topology.document, { name: pipelineName, parameters });
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    const extra = Array.isArray(err.details) ? err.details : [];
    throw new ValidationError(`live pipeline '${pipelineName}' on topology '${topology.name}': ${err.message}`, [{ code: err.code, target: `livePipelines/${pipelineName}`, message: err.message }, ...extra], 'InvalidResource');
  }
}

/**
 * Checks a topology before it is stored by importing it with stand-in values for its parameters (each declared type's
 * neutral value), so a topology with unsupported nodes or broken references is refused at set time, as AVA validated
 * topologies on set. Errors that depend on real parameter values are left to the live pipeline's set.
 * @throws ValidationError `InvalidResource` with details `[{ code: 'UnsupportedTopologyNode' | 'InvalidTopology', target, message }]`
 */
export function checkTopology(importer: TopologyImporter, name: string, document: { name: string; properties: Record<string, unknown> }, parameters: readonly ParameterDeclaration[]): void {
  const standIns: Record<string, string> = {};
  for (const d of parameters) if (d.default === undefined) standIns[d.name] = standIn(d.type);
  try {
    importer(document, { name: 'topology-check', parameters: standIns });
  } catch (err) {
    if (!(err instanceof ValidationError) || !TOPOLOGY_ERRORS.has(err.code)) return;
    const extra = Array.isArray(err.details) ? err.details : [];
    throw new ValidationError(`pipeline topology '${name}': ${err.message}`, [{ code: err.code, target: `pipelineTopologies/${name}`, message: err.message }, ...extra], 'InvalidResource');
  }
}

function standIn(type: string): string {
  switch (type.toLowerCase()) {
    case 'int':
    case 'double':
      return '1';
    case 'bool':
      return 'false';
    default:
      return 'rtsp://topology-check.invalid:554/stream';
  }
}
