import { readFileSync } from 'node:fs';
import { ValidationError } from '../../shared/errors';

/**
 * Reads an LVA/AVA topology JSON file as Microsoft shipped it (CRLF and tabs: test/fixtures/azure-topologies/README.md;
 * a UTF-8 BOM, as editors write).
 * @returns the parsed JSON document
 * @throws ValidationError `InvalidTopology` naming the file when it cannot be read or is not JSON
 */
export function readTopologyFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ValidationError(`topology file ${file}: cannot be read: ${(err as Error).message}`, undefined, 'InvalidTopology');
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new ValidationError(`topology file ${file}: not JSON: ${(err as Error).message}`, undefined, 'InvalidTopology');
  }
}
