import type { TopologyImporter } from '../../shared/pipelines/topology-importer';
import { importTopology } from '../../shared/topology/import-topology';

/**
 * The functions' topology importer: `importTopology` of shared/topology/import-topology.ts
 * (docs/migrating-from-ava.md), behind the lifecycle's structural type so tests may pass another.
 */
export const topologyImporter: TopologyImporter = importTopology;
