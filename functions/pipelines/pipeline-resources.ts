import type { StoredPipeline, StoredTopology } from '../adapters/table/table-pipeline-store';
import { toIso } from '../../shared/time';

/** AVA `systemData`: when the entity was created and last changed, ISO 8601 UTC. */
export interface SystemData {
  createdAt: string;
  lastModifiedAt: string;
}

/** A pipeline topology as the API returns it (AVA pipelineTopologyGet): the document as set, plus systemData. */
export interface TopologyResource {
  name: string;
  properties: Record<string, unknown>;
  systemData: SystemData;
}

/**
 * A live pipeline as the API returns it (AVA livePipelineGet). Parameters of type SecretString come without `value`
 * (AVA did not echo them, docs/reference/ava-behaviour.md "Pipelines").
 */
export interface PipelineResource {
  name: string;
  properties: {
    topologyName: string;
    description?: string;
    parameters: Array<{ name: string; value?: string }>;
    state: StoredPipeline['state'];
    /** Keepwatch extension: the camera ids the pipeline records. */
    cameraIds: string[];
    /** Keepwatch extension: why the device could not activate it (absent otherwise). */
    stateMessage?: string;
  };
  systemData: SystemData;
}

/** The API shape of a stored topology. */
export function topologyResource(t: StoredTopology): TopologyResource {
  return { name: t.name, properties: t.document.properties, systemData: { createdAt: toIso(t.createdAtMs), lastModifiedAt: toIso(t.lastModifiedAtMs) } };
}

/** The API shape of a stored live pipeline, SecretString values left out. */
export function pipelineResource(p: StoredPipeline): PipelineResource {
  const secret = new Set(p.secretParameters.map((n) => n.toLowerCase()));
  return {
    name: p.name,
    properties: {
      topologyName: p.topologyName,
      ...(p.description !== undefined ? { description: p.description } : {}),
      parameters: Object.entries(p.parameters).map(([name, value]) => (secret.has(name.toLowerCase()) ? { name } : { name, value })),
      state: p.state,
      cameraIds: p.cameraIds,
      ...(p.stateMessage !== undefined ? { stateMessage: p.stateMessage } : {}),
    },
    systemData: { createdAt: toIso(p.createdAtMs), lastModifiedAt: toIso(p.lastModifiedAtMs) },
  };
}
