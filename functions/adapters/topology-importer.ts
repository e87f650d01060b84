import type { ImportedTopology, TopologyImporter } from '../../shared/pipelines/topology-importer';

/**
 * The functions' topology importer: `importTopology` of shared/topology/import-topology.ts (issue 7, import part),
 * loaded on first use.
 * TODO(issue 7 merge): a static import once wip/topo-import is merged; until then a build without that module answers
 * 500 on the routes that import (set, activate), and the tests inject their own importer.
 */
export const topologyImporter: TopologyImporter = (topology, pipeline): ImportedTopology => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('../../shared/topology/import-topology') as { importTopology: TopologyImporter };
  return mod.importTopology(topology, pipeline);
};
