import type { PipelineState } from '../pipelines/pipeline-lifecycle';

/**
 * A pipeline topology as set on a device: the AVA document as given (`name`, `properties`; `@apiVersion` dropped),
 * times epoch ms UTC (AVA `systemData.createdAt`/`lastModifiedAt`).
 */
export interface StoredTopology {
  deviceId: string;
  name: string;
  /** `{ name, properties }` of the PUT body, `properties` unchanged (parameters, sources, processors, sinks). */
  document: { name: string; properties: Record<string, unknown> };
  createdAtMs: number;
  lastModifiedAtMs: number;
  /** Opaque row version for If-Match writes. */
  etag: string;
}

/** A live pipeline as set on a device, with its lifecycle state (shared/pipelines/pipeline-lifecycle.ts). */
export interface StoredPipeline {
  deviceId: string;
  name: string;
  topologyName: string;
  description?: string;
  /** Parameter values by name, secrets included (they are needed to activate); never returned by the API. */
  parameters: Record<string, string>;
  /** Names of the parameters the topology declares `SecretString`: their values are never returned. */
  secretParameters: string[];
  state: PipelineState;
  /** Count of activate/deactivate commands sent (pipeline-lifecycle.ts `PipelineLifecycleView.generation`). */
  generation: number;
  /** Camera ids the pipeline records (from importTopology at the last set). */
  cameraIds: string[];
  /** Why the device could not activate it (its last `pipeline.state` report's `message`); cleared by the next activate. */
  stateMessage?: string;
  createdAtMs: number;
  lastModifiedAtMs: number;
  etag: string;
}

/**
 * Pipeline topologies and live pipelines per device. Every write is conditional: `etag` undefined = create (fails if
 * the entity exists), else replace/delete only if the stored version is still `etag`. Implemented on Table Storage by
 * functions/adapters/table/table-pipeline-store.ts.
 */
export interface PipelineStore {
  /** The device's topologies, sorted by name. @throws TransientError */
  listTopologies(deviceId: string): Promise<StoredTopology[]>;
  /** @returns undefined when there is none of that name. @throws TransientError */
  getTopology(deviceId: string, name: string): Promise<StoredTopology | undefined>;
  /** @throws PreconditionFailedError when created or changed meanwhile (re-read and decide again); TransientError */
  saveTopology(topology: Omit<StoredTopology, 'etag'>, etag: string | undefined): Promise<void>;
  /** @throws PreconditionFailedError when changed or deleted meanwhile; TransientError */
  deleteTopology(deviceId: string, name: string, etag: string): Promise<void>;
  /** The device's live pipelines, sorted by name. @throws TransientError */
  listPipelines(deviceId: string): Promise<StoredPipeline[]>;
  /** @returns undefined when there is none of that name. @throws TransientError */
  getPipeline(deviceId: string, name: string): Promise<StoredPipeline | undefined>;
  /**
   * @param topologyEtag when given, the write happens only if the pipeline's topology is still at this version, in
   *   one transaction with it (so a topology changed or deleted meanwhile cannot end up under a pipeline validated
   *   against its old version; the topology's row is touched, its ETag changes, its document does not)
   * @throws PreconditionFailedError when the pipeline or (with `topologyEtag`) its topology was created, changed or
   *   deleted meanwhile; TransientError
   */
  savePipeline(pipeline: Omit<StoredPipeline, 'etag'>, etag: string | undefined, topologyEtag?: string): Promise<void>;
  /** @throws PreconditionFailedError when changed or deleted meanwhile; TransientError */
  deletePipeline(deviceId: string, name: string, etag: string): Promise<void>;
}
