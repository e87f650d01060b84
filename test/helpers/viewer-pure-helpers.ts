import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

/** functions/viewer/ at the repository root (this file runs from dist/test/helpers/). */
const VIEWER_DIR = path.resolve(__dirname, '..', '..', '..', 'functions', 'viewer');

/**
 * Runs only the DOM-free block (between its "pure helpers" markers) of a viewer script (`viewer.js`, or
 * `viewer-signin.js`) in a fresh VM context with `globals` (e.g. `atob`, `TextDecoder`) and returns the named
 * functions. Throws (assertion) when the file no longer has the block.
 */
export function viewerPureHelpers<T>(names: readonly string[], file = 'viewer.js', globals: Record<string, unknown> = {}): T {
  const source = readFileSync(path.join(VIEWER_DIR, file), 'utf8');
  const from = source.indexOf('// ---- pure helpers');
  const to = source.indexOf('// ---- end of pure helpers');
  assert.ok(from >= 0 && to > from, `${file} keeps its pure helpers block`);
  const context = vm.createContext({ ...globals });
  vm.runInContext(`${source.slice(from, to)}\nthis.helpers = { ${names.join(', ')} };`, context);
  return (context as { helpers: T }).helpers;
}
