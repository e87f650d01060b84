import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { PreconditionFailedError } from '../../../shared/errors';
import { assertId } from '../../../shared/ids';
import { PIPELINE_STATES, type PipelineState } from '../../../shared/pipelines/pipeline-lifecycle';
import { toIso } from '../../../shared/time';
import { ensureTable } from '../storage/storage-clients';
import { rethrowStorageError, storageStatus } from '../storage/storage-errors';
import { double, readNumber } from './table-values';

const TOPOLOGY = 'topology:';
const PIPELINE = 'pipeline:';

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
 * Topologies and live pipelines on Table Storage (`{prefix}Pipelines`), one partition per device:
 * - PartitionKey `{deviceId}`, RowKey `topology:{name}`: `document` (JSON `{name, properties}`), `createdAtMs`,
 *   `lastModifiedAtMs` (Edm.Double), `lastModifiedAt` (ISO, for people reading the table);
 * - PartitionKey `{deviceId}`, RowKey `pipeline:{name}`: `topologyName`, `description`, `parameters` (JSON object
 *   name → value, secrets included: Table Storage is encrypted at rest and only the functions read it),
 *   `secretParameters` (JSON array), `state`, `generation`, `cameraIds` (JSON array), `stateMessage`, `createdAtMs`,
 *   `lastModifiedAtMs`, `lastModifiedAt`.
 * Every write is conditional: `etag` undefined = create (an insert, which fails with 409 if the row exists), else
 * replace/delete only if the stored version is still `etag`, so concurrent requests never overwrite each other unseen;
 * a lost race is a PreconditionFailedError the caller retries.
 */
export class TablePipelineStore {
  constructor(private readonly table: TableClient) {}

  /** The device's topologies, sorted by name. @throws TransientError */
  async listTopologies(deviceId: string): Promise<StoredTopology[]> {
    return (await this.list(deviceId, TOPOLOGY)).map((row) => toTopology(deviceId, row));
  }

  /** @returns undefined when there is none of that name. @throws TransientError */
  async getTopology(deviceId: string, name: string): Promise<StoredTopology | undefined> {
    const row = await this.get(deviceId, TOPOLOGY + name);
    return row && toTopology(deviceId, row);
  }

  /** @throws PreconditionFailedError when created or changed meanwhile (re-read and decide again); TransientError */
  async saveTopology(t: Omit<StoredTopology, 'etag'>, etag: string | undefined): Promise<void> {
    await this.save(t.deviceId, TOPOLOGY + t.name, etag, `pipeline topology '${t.name}'`, {
      document: JSON.stringify(t.document),
      createdAtMs: double(t.createdAtMs),
      lastModifiedAtMs: double(t.lastModifiedAtMs),
      lastModifiedAt: toIso(t.lastModifiedAtMs),
    });
  }

  /** @throws PreconditionFailedError when changed or deleted meanwhile; TransientError */
  async deleteTopology(deviceId: string, name: string, etag: string): Promise<void> {
    await this.delete(deviceId, TOPOLOGY + name, etag, `pipeline topology '${name}'`);
  }

  /** The device's live pipelines, sorted by name. @throws TransientError */
  async listPipelines(deviceId: string): Promise<StoredPipeline[]> {
    return (await this.list(deviceId, PIPELINE)).map((row) => toPipeline(deviceId, row));
  }

  /** @returns undefined when there is none of that name. @throws TransientError */
  async getPipeline(deviceId: string, name: string): Promise<StoredPipeline | undefined> {
    const row = await this.get(deviceId, PIPELINE + name);
    return row && toPipeline(deviceId, row);
  }

  /**
   * @param topologyEtag when given, the write happens only if the pipeline's topology is still at this version, in
   *   one transaction with it (so a topology changed or deleted meanwhile cannot end up under a pipeline validated
   *   against its old version; the topology's row is touched, its ETag changes, its document does not)
   * @throws PreconditionFailedError when the pipeline or (with `topologyEtag`) its topology was created, changed or
   *   deleted meanwhile; TransientError
   */
  async savePipeline(p: Omit<StoredPipeline, 'etag'>, etag: string | undefined, topologyEtag?: string): Promise<void> {
    const props = {
      topologyName: p.topologyName,
      description: p.description ?? '',
      parameters: JSON.stringify(p.parameters),
      secretParameters: JSON.stringify(p.secretParameters),
      state: p.state,
      generation: double(p.generation),
      cameraIds: JSON.stringify(p.cameraIds),
      stateMessage: p.stateMessage ?? '',
      createdAtMs: double(p.createdAtMs),
      lastModifiedAtMs: double(p.lastModifiedAtMs),
      lastModifiedAt: toIso(p.lastModifiedAtMs),
    };
    const what = `live pipeline '${p.name}'`;
    if (topologyEtag === undefined) return this.save(p.deviceId, PIPELINE + p.name, etag, what, props);
    assertId('device', p.deviceId);
    await ensureTable(this.table);
    // Same partition: one entity group transaction, all or nothing. The topology's Merge writes only
    // `referencedAtMs`, so its document and times stay; its ETag check is the point.
    const entity = { partitionKey: p.deviceId, rowKey: PIPELINE + p.name, ...props };
    const actions: TransactionAction[] = [
      ['update', { partitionKey: p.deviceId, rowKey: TOPOLOGY + p.topologyName, referencedAtMs: double(p.lastModifiedAtMs) }, 'Merge', { etag: topologyEtag }],
      etag === undefined ? ['create', entity] : ['update', entity, 'Replace', { etag }],
    ];
    try {
      await this.table.submitTransaction(actions);
    } catch (err) {
      const status = storageStatus(err);
      if (status === 409 || status === 412 || status === 404) throw new PreconditionFailedError(`${what} or its pipeline topology '${p.topologyName}' of device ${p.deviceId} was changed by another request meanwhile`);
      rethrowStorageError(err, `write ${what} of device ${p.deviceId}`);
    }
  }

  /** @throws PreconditionFailedError when changed or deleted meanwhile; TransientError */
  async deletePipeline(deviceId: string, name: string, etag: string): Promise<void> {
    await this.delete(deviceId, PIPELINE + name, etag, `live pipeline '${name}'`);
  }

  private async list(deviceId: string, prefix: string): Promise<Array<Record<string, unknown>>> {
    assertId('device', deviceId);
    // ';' follows ':' in ASCII: the range is every RowKey starting with the prefix. RowKeys come back sorted.
    const upper = prefix.slice(0, -1) + ';';
    const rows: Array<Record<string, unknown>> = [];
    try {
      for await (const row of this.table.listEntities<Record<string, unknown>>({
        queryOptions: { filter: odata`PartitionKey eq ${deviceId} and RowKey ge ${prefix} and RowKey lt ${upper}` },
      })) {
        rows.push(row);
      }
    } catch (err) {
      if (storageStatus(err) === 404) return []; // table not created yet: nothing set
      rethrowStorageError(err, `list ${prefix.slice(0, -1)}s of device ${deviceId}`);
    }
    return rows;
  }

  private async get(deviceId: string, rowKey: string): Promise<(Record<string, unknown> & { etag: string }) | undefined> {
    assertId('device', deviceId);
    try {
      return await this.table.getEntity<Record<string, unknown>>(deviceId, rowKey);
    } catch (err) {
      if (storageStatus(err) === 404) return undefined;
      rethrowStorageError(err, `read ${rowKey} of device ${deviceId}`);
    }
  }

  private async save(deviceId: string, rowKey: string, etag: string | undefined, what: string, props: Record<string, unknown>): Promise<void> {
    assertId('device', deviceId);
    await ensureTable(this.table);
    const entity = { partitionKey: deviceId, rowKey, ...props };
    try {
      if (etag === undefined) await this.table.createEntity(entity);
      else await this.table.updateEntity(entity, 'Replace', { etag });
    } catch (err) {
      const status = storageStatus(err);
      if (status === 409 || status === 412 || status === 404) throw new PreconditionFailedError(`${what} of device ${deviceId} was changed by another request meanwhile`);
      rethrowStorageError(err, `write ${what} of device ${deviceId}`);
    }
  }

  private async delete(deviceId: string, rowKey: string, etag: string, what: string): Promise<void> {
    assertId('device', deviceId);
    try {
      await this.table.deleteEntity(deviceId, rowKey, { etag });
    } catch (err) {
      const status = storageStatus(err);
      if (status === 412 || status === 404) throw new PreconditionFailedError(`${what} of device ${deviceId} was changed by another request meanwhile`);
      rethrowStorageError(err, `delete ${what} of device ${deviceId}`);
    }
  }
}

function jsonOf<T>(row: Record<string, unknown>, key: string, fallback: T): T {
  return typeof row[key] === 'string' && row[key] !== '' ? (JSON.parse(row[key] as string) as T) : fallback;
}

function toTopology(deviceId: string, row: Record<string, unknown>): StoredTopology {
  const document = jsonOf<StoredTopology['document']>(row, 'document', { name: '', properties: {} });
  return {
    deviceId,
    name: String(row.rowKey).slice(TOPOLOGY.length),
    document,
    createdAtMs: readNumber(row, 'createdAtMs'),
    lastModifiedAtMs: readNumber(row, 'lastModifiedAtMs'),
    etag: String(row.etag),
  };
}

function toPipeline(deviceId: string, row: Record<string, unknown>): StoredPipeline {
  const state = String(row.state) as PipelineState;
  if (!PIPELINE_STATES.includes(state)) throw new TypeError(`table row ${deviceId}/${String(row.rowKey)}: state ${JSON.stringify(row.state)} is not a live pipeline state`);
  const p: StoredPipeline = {
    deviceId,
    name: String(row.rowKey).slice(PIPELINE.length),
    topologyName: String(row.topologyName),
    parameters: jsonOf(row, 'parameters', {}),
    secretParameters: jsonOf(row, 'secretParameters', []),
    state,
    generation: readNumber(row, 'generation'),
    cameraIds: jsonOf(row, 'cameraIds', []),
    createdAtMs: readNumber(row, 'createdAtMs'),
    lastModifiedAtMs: readNumber(row, 'lastModifiedAtMs'),
    etag: String(row.etag),
  };
  if (typeof row.description === 'string' && row.description !== '') p.description = row.description;
  if (typeof row.stateMessage === 'string' && row.stateMessage !== '') p.stateMessage = row.stateMessage;
  return p;
}
