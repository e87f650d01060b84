import { z } from 'zod';
import { ValidationError } from '../errors';
import { parseWith } from '../validation/format-issues';
import { importTopology, type TopologyImport } from './import-topology';

/**
 * The agent config's `pipelines` entry, like an AVA live pipeline (docs/reference/ava-behaviour.md "Pipelines"): a name
 * (→ camera id, see shared/topology/pipeline-camera-id.ts), a topology file and parameter values.
 * ```yaml
 * pipelines:
 *   - name: door-1
 *     topologyFile: topologies/evr-motion-video-sink.json   # relative to the config file
 *     parameters: { rtspUrl: "rtsp://10.0.0.5:554/stream", rtspPassword: "${env:DOOR_PASSWORD}" }
 * ```
 */
export const pipelineEntrySchema = z.strictObject({
  name: z.string().min(1).max(64),
  topologyFile: z.string().min(1),
  parameters: z.record(z.string(), z.string()).default({}),
});
export type PipelineEntry = z.output<typeof pipelineEntrySchema>;

/** Agent-level keys a topology may set (from its video/asset sink). */
const AGENT_KEYS = ['segmentLength', 'localMediaCachePath', 'localMediaCacheMaximumSizeMiB'] as const;

/** The expanded config document and what the agent should log about it. */
export interface ExpandedPipelines {
  /** The config document without `pipelines`, with the pipelines' cameras and agent settings merged in. */
  doc: Record<string, unknown>;
  /** One line per fact worth logging (cloud policy to set, conflicts resolved), each naming the pipeline. */
  notes: Array<{ pipeline: string; cameraId?: string; message: string }>;
  /** The imports, by pipeline name. */
  imports: Record<string, TopologyImport>;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** `override` over `camera`: top-level keys win; objects present in both are merged one level deep. */
function mergeCamera(camera: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...camera };
  for (const [k, v] of Object.entries(override)) out[k] = isPlainObject(v) && isPlainObject(camera[k]) ? { ...camera[k], ...v } : v;
  return out;
}

/**
 * Reads the `pipelines` entries of `pipelines` (as written) and returns them validated.
 * @throws ValidationError naming every bad or unknown key, e.g. `agent config: pipelines[0].topologyFile: ...`
 */
export function parsePipelineEntries(pipelines: unknown): PipelineEntry[] {
  return parseWith(z.array(pipelineEntrySchema), pipelines, 'agent config: pipelines');
}

/**
 * Expands the agent config's `pipelines` into cameras and agent settings (docs/migrating-from-ava.md). Rules when they
 * meet explicit configuration (explicit config wins):
 * - a camera in `cameras` with the id of a pipeline's camera is merged over it, key by key and one level into
 *   objects (e.g. `fileSink: { baseDirectoryPath: /data/clips }` moves the file sink's folder and keeps its pattern;
 *   `inputOptions` is replaced);
 * - a top-level `segmentLength`, `localMediaCachePath` or `localMediaCacheMaximumSizeMiB` in the file wins over the
 *   topology's; between two pipelines, the first one's value wins (a note names the other);
 * - a pipeline with a signal gate or a video/asset sink needs its cloud policy: a note says to set it with
 *   `keepwatch-agent import-topology --api-url` or the pipelines API (the agent cannot set cloud policies).
 * @param doc the config document, placeholders resolved
 * @param topologies each entry's topology document (parsed JSON) by its `topologyFile` as written
 * @throws ValidationError from {@link importTopology}, prefixed with `agent config: pipelines[i] 'name': `;
 *   two pipelines giving one camera id
 */
export function expandPipelines(doc: Record<string, unknown>, entries: readonly PipelineEntry[], topologies: Readonly<Record<string, unknown>>): ExpandedPipelines {
  const { pipelines: _p, ...rest } = doc;
  const notes: ExpandedPipelines['notes'] = [];
  const imports: Record<string, TopologyImport> = {};
  const explicit = Array.isArray(doc.cameras) ? (doc.cameras as Array<Record<string, unknown>>) : [];
  const fromPipelines: Array<Record<string, unknown>> = [];
  const agent: Record<string, unknown> = {};
  entries.forEach((entry, i) => {
    let result: TopologyImport;
    try {
      result = importTopology(topologies[entry.topologyFile], { name: entry.name, parameters: entry.parameters });
    } catch (err) {
      if (err instanceof ValidationError) throw new ValidationError(`agent config: pipelines[${i}] '${entry.name}': ${err.message}`, undefined, err.code);
      throw err;
    }
    imports[entry.name] = result;
    for (const camera of result.cameras) {
      const id = camera.id as string;
      if (fromPipelines.some((c) => c.id === id)) throw new ValidationError(`agent config: pipelines[${i}] '${entry.name}' gives camera id '${id}', which another pipeline gives too`);
      const override = explicit.find((c) => c && c.id === id);
      if (override) notes.push({ pipeline: entry.name, cameraId: id, message: `camera '${id}' in cameras is merged over the pipeline's camera (explicit keys win)` });
      fromPipelines.push(override ? mergeCamera(camera, override) : camera);
      if (result.policies[id]) {
        notes.push({ pipeline: entry.name, cameraId: id, message: `camera '${id}' records by its cloud policy (${String(result.policies[id].mode)}): set it with keepwatch-agent import-topology --api-url, or the pipelines API` });
      }
    }
    for (const key of AGENT_KEYS) {
      if (result.agent[key] === undefined) continue;
      if (doc[key] !== undefined) {
        if (doc[key] !== result.agent[key]) notes.push({ pipeline: entry.name, message: `${key} ${JSON.stringify(result.agent[key])} of the topology is overridden by the config file's ${JSON.stringify(doc[key])}` });
      } else if (agent[key] !== undefined && agent[key] !== result.agent[key]) {
        notes.push({ pipeline: entry.name, message: `${key} ${JSON.stringify(result.agent[key])} of the topology is ignored: an earlier pipeline set ${JSON.stringify(agent[key])}` });
      } else {
        agent[key] = result.agent[key];
      }
    }
    for (const n of result.notes) notes.push({ pipeline: entry.name, message: n });
  });
  const ids = new Set(fromPipelines.map((c) => c.id));
  const cameras = [...fromPipelines, ...explicit.filter((c) => !ids.has(c?.id))];
  return { doc: { ...agent, ...rest, cameras }, notes, imports };
}
