#!/usr/bin/env node
// Packs the edge agent as its own npm package, `keepwatch-agent-{version}.tgz`: the compiled edge-agent/ and shared/
// from dist/ (no source maps) with packages/agent/package.json, whose dependencies are the agent's production
// dependencies only (no Functions, no local stack, no dev dependencies). `npm install -g` of the tarball on a site box
// gives the `keepwatch-agent` command (docs/edge.md "npm").
//
// Usage: npm run build && node scripts/pack-agent.mjs [--out DIR]
//   --out DIR   where the tarball is written (default dist/pack/, created when missing)
// Prints the tarball's absolute path as its last line of stdout. Exit 1 when dist/ holds no build or npm pack fails.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGE_DIR = path.join(ROOT, 'packages', 'agent');
/** The compiled folders the agent needs at run time, relative to dist/ (edge-agent/ imports only shared/). */
const FOLDERS = ['edge-agent', 'shared'];

const { values } = parseArgs({ options: { out: { type: 'string' } }, strict: true });
const out = path.resolve(values.out ?? path.join(ROOT, 'dist', 'pack'));

if (!existsSync(path.join(ROOT, 'dist', 'edge-agent', 'cli.js'))) {
  process.stderr.write('pack-agent: dist/edge-agent/cli.js is missing: run `npm run build` first\n');
  process.exit(1);
}
const staged = path.join(PACKAGE_DIR, 'dist');
rmSync(staged, { recursive: true, force: true });
for (const folder of FOLDERS) {
  cpSync(path.join(ROOT, 'dist', folder), path.join(staged, folder), { recursive: true, filter: (src) => !src.endsWith('.map') });
}
mkdirSync(out, { recursive: true });
let report;
try {
  report = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: PACKAGE_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
} catch (err) {
  process.stderr.write(`pack-agent: npm pack failed: ${err.message}\n`);
  process.exit(1);
}
const [{ filename, entryCount, size }] = report;
process.stdout.write(`pack-agent: ${entryCount} files, ${(size / 1024).toFixed(0)} KiB packed\n${path.join(out, filename)}\n`);
