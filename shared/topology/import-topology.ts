import { ValidationError } from '../errors';
import { parseAgentConfig } from '../schemas/agent-config';
import { parseRecordingPolicy } from '../schemas/recording-policy';
import { mapNodes, unsupportedNodes } from './map-nodes';
import { maskSecrets, resolveParameters, substituteParameters } from './parameters';
import { parseTopology, type TopologyDialect, type TopologyNode } from './parse-topology';
import { pipelineCameraId } from './pipeline-camera-id';
import { resolveSystemVariablesDeep } from './system-variables';

/** A live pipeline as AVA had it: a name, the topology it instantiates and parameter values. */
export interface LivePipelineSpec {
  /** AVA live pipeline name (1..32 chars in AVA: letters, digits, '-', '_'); also gives the camera id (see below). */
  name: string;
  /** Parameter values by name (AVA `parameters: [{name, value}]` flattened). */
  parameters: Record<string, string>;
}

/** What a topology + live pipeline becomes in Keepwatch. */
export interface TopologyImport {
  /** Which dialect the file was: LVA 1.0 (`@apiVersion` 1.0, MediaGraph*), LVA 2.0 (2.0) or AVA 1.1 (1.1, Pipeline*); a missing @apiVersion is inferred from the node @types. */
  dialect: TopologyDialect;
  topologyName: string;
  /** The camera(s) for the agent config (shared/schemas/agent-config.ts camera entry, as written in a config file:
   *  the INPUT shape of cameraSchema, so it can be put into an agent config and parsed by parseAgentConfig). One per
   *  RTSP source (all of Microsoft's samples have one). Camera id: the pipeline name lower-cased, characters outside
   *  [a-z0-9-] replaced by '-', trimmed to the id rules of shared/ids.ts; a ValidationError if nothing valid is left. */
  cameras: Array<Record<string, unknown>>;
  /** Agent-level settings taken from the sinks, to merge into the agent config (only keys the topology sets):
   *  `segmentLength` (ISO 8601, from the video/asset sink's segmentLength), `localMediaCachePath`,
   *  `localMediaCacheMaximumSizeMiB`. */
  agent: Record<string, unknown>;
  /** Cloud recording policy per camera id, in the body shape of `PUT /api/cameras/{cameraId}/policy`
   *  (shared/schemas policy: `mode`, `evr.signalGate`, `evr.signals`, retention). Empty for a topology without a sink
   *  that records to the cloud. Keepwatch's signal gate runs in the cloud, so a topology with a signal gate and only a
   *  file sink gets an `evr` policy too (its windows are uploaded; a note says so). */
  policies: Record<string, Record<string, unknown>>;
  /** Human-readable notes on properties accepted but without effect (e.g. `videoName` → camera id) for the CLI. */
  notes: string[];
  /** Optional (added): names of the topology's SecretString parameters, so a caller printing `cameras` can replace their values by placeholders. */
  secretParameterNames?: string[];
}

/** A stand-in agent config around the imported cameras, only to check them with the agent's own schema. */
function checkWithAgentSchema(result: TopologyImport): void {
  parseAgentConfig({
    deviceId: 'topology-import',
    broker: { url: 'mqtt://localhost' },
    upload: { connectionString: 'UseDevelopmentStorage=true' },
    ...result.agent,
    cameras: result.cameras,
  });
  for (const policy of Object.values(result.policies)) parseRecordingPolicy(policy);
}

function importUnmasked(topology: unknown, pipeline: LivePipelineSpec, seen: { secrets: string[]; where: string }): TopologyImport {
  const parsed = parseTopology(topology);
  const where = `topology '${parsed.name}'`;
  seen.where = where;
  const unsupported = unsupportedNodes(parsed.nodes, parsed.cloudKind);
  if (unsupported.length) {
    const why = parsed.cloudKind !== undefined ? ` (an AVA cloud ${parsed.cloudKind} topology: Keepwatch runs edge topologies only)` : '';
    throw new ValidationError(
      `${where}: unsupported node${unsupported.length > 1 ? 's' : ''}${why}: ${unsupported.join(', ')}; Keepwatch maps RTSP source, motion detection, signal gate, HTTP extension, frame rate filter, video/asset sink, file sink and IoT Hub message source/sink`,
      unsupported.map((n) => ({ node: n })),
      'UnsupportedTopologyNode',
    );
  }
  if (!pipeline || typeof pipeline.name !== 'string') throw new ValidationError('live pipeline: name is required', undefined, 'InvalidParameter');
  if (!pipeline.parameters || typeof pipeline.parameters !== 'object') throw new ValidationError('live pipeline: parameters must be an object of name → value', undefined, 'InvalidParameter');
  const params = resolveParameters(parsed.parameters, pipeline.parameters, where);
  seen.secrets.push(...params.secretValues);
  const cameraId = pipelineCameraId(pipeline.name);
  const nodes: TopologyNode[] = parsed.nodes.map((n) => {
    const at = `${where}: node '${n.name}'`;
    const withParams = substituteParameters(n.props, params.values, at);
    return { ...n, props: resolveSystemVariablesDeep(withParams, { topologyName: parsed.name, pipelineName: pipeline.name }, at) as Record<string, unknown> };
  });
  const sources = nodes.filter((n) => n.kind === 'rtspsource');
  const mapped = mapNodes(nodes, (source) => (sources.length === 1 ? cameraId : pipelineCameraId(`${cameraId}-${source.name}`)));
  const notes = mapped.notes.map((n) => maskSecrets(n, params.secretValues));
  const result: TopologyImport = { dialect: parsed.dialect, topologyName: parsed.name, ...mapped, notes, secretParameterNames: params.secretNames };
  checkWithAgentSchema(result);
  return result;
}

/**
 * Turns an LVA 1.0 / LVA 2.0 / AVA 1.1 edge topology plus a live pipeline (name, parameter values) into Keepwatch's
 * camera configuration, agent settings and cloud recording policies (docs/migrating-from-ava.md; node map in
 * shared/topology/map-nodes.ts; rules from docs/reference/ava-behaviour.md "Names", "Pipelines", "Nodes"). Pure: no
 * I/O.
 * @param topology the whole file as parsed JSON (`{ "@apiVersion"?, "name", "properties": {...} }`)
 * @throws ValidationError code `UnsupportedTopologyNode`, message naming EVERY unsupported node as `name (@type)`;
 *   `InvalidTopology` (not JSON / not a topology / broken references), `MissingParameter` (a required parameter
 *   without value), `UndeclaredParameter` (a value for a parameter the topology does not declare),
 *   `InvalidParameter`, `InvalidPipelineName`. Never echoes a SecretString parameter's value in a message.
 */
export function importTopology(topology: unknown, pipeline: LivePipelineSpec): TopologyImport {
  const seen = { secrets: [] as string[], where: 'topology' };
  try {
    return importUnmasked(topology, pipeline, seen);
  } catch (err) {
    if (err instanceof ValidationError) {
      // Schema errors of the agent config / policy checks come as InvalidInput / InvalidPolicy: the topology is at fault.
      const code = err.code === 'InvalidInput' || err.code === 'InvalidPolicy' ? 'InvalidTopology' : err.code;
      const prefix = err.message.startsWith('topology') || err.message.startsWith('live pipeline') ? '' : `${seen.where}: `;
      throw new ValidationError(maskSecrets(`${prefix}${err.message}`, seen.secrets), undefined, code);
    }
    throw err;
  }
}
