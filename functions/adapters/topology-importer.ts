import type { TopologyImporter } from '../../shared/pipelines/topology-importer';
import { importTopology } from '../../shared/topology/import-topology';

/**
 * The functions' topology importer: `importTopology` of shared/topology/import-topology.ts (issue 7 §1), behind the
 * lifecycle's structural type so tests may pass another.
 */
export const topologyImporter: TopologyImporter = importTopology;
