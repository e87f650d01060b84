import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { importTopology } from '../../shared/topology/import-topology';
import { checkProperty, onlyValidationErrors } from '../helpers/fuzz';
import { readTopology } from '../helpers/topologies';

/**
 * Topology files are input from outside (bad input gets a clear error and changes nothing): Microsoft's
 * `ava-evr-motion-video-sink-file-sink` with one value anywhere in it replaced by random JSON, and random parameter
 * names and values, either imports or throws a ValidationError with a code and a message; never another exception.
 */
const BASE = readTopology('ava-evr-motion-video-sink-file-sink') as Record<string, unknown>;

/** Every key path of `value` (objects and arrays), the root excluded. */
function keyPaths(value: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [[...at, Array.isArray(value) ? Number(k) : k], ...keyPaths(v, [...at, Array.isArray(value) ? Number(k) : k])]);
}
const PATHS = keyPaths(BASE);

describe('importTopology on mutated topologies and random parameters (shared/topology/import-topology.ts)', () => {
  it('accepts or throws a ValidationError, for any value at any key path', async () => {
    assert.ok(PATHS.length > 50);
    await checkProperty(
      'importTopology mutation',
      fc.property(fc.nat(PATHS.length - 1), fc.jsonValue(), fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 40 })), (i, value, params) => {
        const doc = structuredClone(BASE) as Record<string | number, unknown>;
        const path = PATHS[i];
        let parent = doc;
        for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
        parent[path[path.length - 1]] = value;
        onlyValidationErrors(() => importTopology(doc, { name: 'gate-1', parameters: { rtspUrl: 'rtsp://10.0.0.5/s', ...params } }), { path, value, params });
      }),
      5,
    );
  });
});
