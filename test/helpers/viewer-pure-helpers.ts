import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

/** functions/viewer/viewer.js at the repository root (this file runs from dist/test/helpers/). */
const VIEWER_JS = path.resolve(__dirname, '..', '..', '..', 'functions', 'viewer', 'viewer.js');

/**
 * Runs only the viewer's DOM-free block (between its "pure helpers" markers) in a fresh VM context and returns the
 * named functions. Throws (assertion) when viewer.js no longer has the block.
 */
export function viewerPureHelpers<T>(names: readonly string[]): T {
  const source = readFileSync(VIEWER_JS, 'utf8');
  const from = source.indexOf('// ---- pure helpers');
  const to = source.indexOf('// ---- end of pure helpers');
  assert.ok(from >= 0 && to > from, 'viewer.js keeps its pure helpers block');
  const context = vm.createContext({});
  vm.runInContext(`${source.slice(from, to)}\nthis.helpers = { ${names.join(', ')} };`, context);
  return (context as { helpers: T }).helpers;
}
