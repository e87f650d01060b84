import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MEDIA_DIR } from '../../testbed/rtsp-server';

/**
 * Microsoft's 56 LVA/AVA topology files, `test/fixtures/azure-topologies` (beside the clips of {@link MEDIA_DIR}):
 * byte-for-byte upstream copies, MIT-licensed, with their sources and licence texts in that folder's README.md.
 * Read them, never rewrite them: their CRLF line endings and tabs are part of what the parser must cope with.
 */
export const TOPOLOGIES_DIR: string = path.join(path.dirname(MEDIA_DIR), 'azure-topologies');

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
