import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

/**
 * packages/agent/package.json, the manifest of the installable agent (scripts/pack-agent.mjs), stays in step with the
 * repository: same version, same pinned versions, and a dependency for every package the compiled agent requires, so
 * that `npm install -g` of the tarball gives an agent that starts (the pack-and-install run is
 * test/integration/packaging/agent-package.test.ts).
 */

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const DIST = path.join(ROOT, 'dist');
type Manifest = { name: string; version: string; bin: Record<string, string>; files: string[]; engines: { node: string }; dependencies: Record<string, string>; devDependencies?: unknown; scripts?: Record<string, string> };
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Manifest;
const root = readJson(path.join(ROOT, 'package.json'));
const agent = readJson(path.join(ROOT, 'packages', 'agent', 'package.json'));

/** Every compiled .js file under `dir`. */
function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? jsFiles(path.join(dir, e.name)) : e.name.endsWith('.js') ? [path.join(dir, e.name)] : []));
}

/** The npm package names the compiled files require by literal name (`require("@azure/storage-blob")` → `@azure/storage-blob`), builtins left out. */
function requiredPackages(files: string[]): Set<string> {
  const names = new Set<string>();
  for (const f of files) {
    for (const m of readFileSync(f, 'utf8').matchAll(/\brequire\("([^".][^"]*)"\)/g)) {
      const spec = m[1]!;
      if (spec.startsWith('node:')) continue;
      names.add(spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/'));
    }
  }
  return names;
}

describe('packages/agent/package.json (the installable agent)', () => {
  it('names keepwatch-agent, takes the root version, Node engine and bin, and ships only dist/edge-agent, dist/shared and its lockfile', () => {
    assert.equal(agent.name, 'keepwatch-agent');
    assert.equal(agent.version, root.version);
    assert.deepEqual(agent.engines, root.engines);
    assert.deepEqual(agent.bin, { 'keepwatch-agent': 'dist/edge-agent/cli.js' });
    assert.equal(root.bin['keepwatch-agent'], agent.bin['keepwatch-agent'], 'same path inside dist/ as the repository\'s own bin');
    assert.deepEqual(agent.files, ['dist/edge-agent/', 'dist/shared/', 'npm-shrinkwrap.json'], 'npm 11 packs a shrinkwrap only when files names it (scripts/pack-agent.mjs writes it)');
    assert.equal(agent.devDependencies, undefined);
    assert.equal(agent.scripts, undefined, 'no install or pack scripts run on a site box');
  });

  it('depends on exactly the packages the compiled agent requires, at the versions the repository pins', () => {
    const required = requiredPackages([...jsFiles(path.join(DIST, 'edge-agent')), ...jsFiles(path.join(DIST, 'shared'))]);
    assert.ok(required.has('zod') && required.has('mqtt'), `the scan found ${[...required].join(', ')}`);
    assert.deepEqual(Object.keys(agent.dependencies).sort(), [...required].sort(), 'dependencies = what dist/edge-agent and dist/shared require');
    for (const [name, version] of Object.entries(agent.dependencies)) {
      assert.equal(version, root.dependencies[name], `${name}: ${version} here, ${root.dependencies[name]} in the root package.json`);
    }
  });
});
