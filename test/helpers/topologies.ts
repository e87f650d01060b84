import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MEDIA_DIR } from './rtsp-server';

/**
 * Microsoft's 56 LVA/AVA topology files, read in place from `../shared/reference/azure-topologies` beside the
 * repository root (never copied: they are verbatim upstream files, see their README.md).
 */
export const TOPOLOGIES_DIR: string = path.resolve(MEDIA_DIR, '..', 'reference', 'azure-topologies');

/** The text of `{TOPOLOGIES_DIR}/{name}/topology.json`. */
export function topologyText(name: string): string {
  return readFileSync(path.join(TOPOLOGIES_DIR, name, 'topology.json'), 'utf8');
}

/** The parsed topology (a UTF-8 BOM stripped, as the CLI does). */
export function readTopology(name: string): unknown {
  return JSON.parse(topologyText(name).replace(/^\uFEFF/, ''));
}

/** Path of the file. */
export function topologyPath(name: string): string {
  return path.join(TOPOLOGIES_DIR, name, 'topology.json');
}
