#!/usr/bin/env node
// Packs the edge agent as its own npm package, `keepwatch-agent-{version}.tgz`: the compiled edge-agent/ and shared/
// from dist/ (no source maps) with packages/agent/package.json, whose dependencies are the agent's production
// dependencies only (no Functions, no local stack, no dev dependencies), and an npm-shrinkwrap.json that pins them and
// their dependencies to the versions of the repository's package-lock.json. `npm install -g` of the tarball on a site box
// gives the `keepwatch-agent` command (docs/edge.md "npm").
//
// Usage: npm run build && node scripts/pack-agent.mjs [--out DIR]
//   --out DIR   where the tarball is written (default dist/pack/, created when missing)
// Prints the tarball's absolute path as its last line of stdout. Exit 1 when dist/ holds no build or npm pack fails.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGE_DIR = path.join(ROOT, 'packages', 'agent');
/** The compiled folders the agent needs at run time, relative to dist/ (edge-agent/ imports only shared/). */
const FOLDERS = ['edge-agent', 'shared'];

/**
 * The package's npm-shrinkwrap.json (lockfile v3): the entries of the repository's package-lock.json that the agent's
 * dependencies reach, at the same paths, so that `npm install -g` of the tarball installs the versions the repository
 * tests (without it, transitive dependencies float to their newest releases, some of which declare Node >= 22).
 * A dependency of the package at `node_modules/a` resolves as Node does: `node_modules/a/node_modules/d`, then each
 * enclosing `node_modules`, up to `node_modules/d`.
 * @throws Error naming a dependency the lockfile does not hold (run `npm install` to update package-lock.json)
 */
function shrinkwrap() {
  const manifest = JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8'));
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')).packages;
  const packages = {};
  const resolve = (from, name) => {
    for (let dir = from; ; dir = dir.replace(/\/?node_modules\/(@[^/]+\/)?[^/]+$/, '')) {
      const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
      if (lock[candidate]) return candidate;
      if (!dir) return undefined;
    }
  };
  const visit = (from, deps, optional) => {
    for (const name of Object.keys(deps ?? {})) {
      const at = resolve(from, name);
      if (!at) {
        if (optional) continue;
        throw new Error(`package-lock.json holds no ${name} (needed by ${from || 'keepwatch-agent'}): run npm install`);
      }
      if (packages[at]) continue;
      const { dev: _d, devOptional: _o, peer: _p, ...entry } = lock[at];
      packages[at] = entry;
      visit(at, entry.dependencies, false);
      visit(at, entry.optionalDependencies, true);
    }
  };
  visit('', manifest.dependencies, false);
  const { name, version, license, bin, engines, dependencies } = manifest;
  return { name, version, lockfileVersion: 3, requires: true, packages: { '': { name, version, license, dependencies, bin, engines }, ...packages } };
}

const { values } = parseArgs({ options: { out: { type: 'string' } }, strict: true });
const out = path.resolve(values.out ?? path.join(ROOT, 'dist', 'pack'));

if (!existsSync(path.join(ROOT, 'dist', 'edge-agent', 'cli.js'))) {
  process.stderr.write('pack-agent: dist/edge-agent/cli.js is missing: run `npm run build` first\n');
  process.exit(1);
}
// Staged outside the work tree: npm pack would apply the repository's .gitignore (dist/) to a folder inside it.
const staged = mkdtempSync(path.join(os.tmpdir(), 'keepwatch-agent-pack-'));
let report;
try {
  for (const file of ['package.json', 'README.md']) cpSync(path.join(PACKAGE_DIR, file), path.join(staged, file));
  for (const folder of FOLDERS) {
    cpSync(path.join(ROOT, 'dist', folder), path.join(staged, 'dist', folder), { recursive: true, filter: (src) => !src.endsWith('.map') });
  }
  writeFileSync(path.join(staged, 'npm-shrinkwrap.json'), `${JSON.stringify(shrinkwrap(), null, 2)}\n`);
  mkdirSync(out, { recursive: true });
  report = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: staged, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
} catch (err) {
  process.stderr.write(`pack-agent: ${err.message}\n`);
  process.exit(1);
} finally {
  rmSync(staged, { recursive: true, force: true });
}
const [{ filename, entryCount, size }] = report;
process.stdout.write(`pack-agent: ${entryCount} files, ${(size / 1024).toFixed(0)} KiB packed\n${path.join(out, filename)}\n`);
