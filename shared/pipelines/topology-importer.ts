/**
 * The shape of `importTopology` (shared/topology/import-topology.ts; its contract is that function's docstring and
 * docs/migrating-from-ava.md), as the lifecycle consumes it. Kept structural so the functions side can take the real
 * function or a test's, and so this module does not depend on the importer's internals.
 */
export interface ImportedTopology {
  topologyName: string;
  /** Camera entries in the agent config's input shape (shared/schemas/agent-config.ts), each with an `id`. */
  cameras: Array<Record<string, unknown>>;
  /** Agent-level settings the topology sets (`segmentLength`, `localMediaCachePath`, `localMediaCacheMaximumSizeMiB`). */
  agent: Record<string, unknown>;
  /** Recording policy per camera id, in the `PUT /api/cameras/{cameraId}/policy` body shape. */
  policies: Record<string, Record<string, unknown>>;
}

/**
 * Turns a topology document and a live pipeline's name + parameter values into Keepwatch configuration.
 * @throws ValidationError `UnsupportedTopologyNode`, `InvalidTopology`, `MissingParameter`, `UndeclaredParameter`,
 *   `InvalidParameter` (never echoing SecretString values)
 */
export type TopologyImporter = (topology: unknown, pipeline: { name: string; parameters: Record<string, string> }) => ImportedTopology;
