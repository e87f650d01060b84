import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

/**
 * The edge agent installs on a site box without the repository: `node scripts/pack-agent.mjs` makes
 * `keepwatch-agent-{version}.tgz`, and `npm install -g --prefix {dir}` of it (the commands of docs/edge.md "npm") gives a
 * `keepwatch-agent` that answers `--help` and `--check`, with production dependencies only, at the versions of the
 * repository's package-lock.json (the tarball's npm-shrinkwrap.json). The prefix lies outside the
 * work tree, so nothing resolves from the repository's node_modules, functions/ or local/.
 * Needs the npm registry or npm's cache (`--prefer-offline`) for the agent's seven dependencies; ~10 s.
 */

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kw-agent-package-'));

describe('keepwatch-agent as an npm package', { timeout: 180_000 }, () => {
  let tarball = '';
  const prefix = path.join(tmp, 'prefix');
  const bin = path.join(prefix, 'bin', 'keepwatch-agent');
  const installed = path.join(prefix, 'lib', 'node_modules', 'keepwatch-agent');
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('packs the compiled agent and shared code only: no functions/, local/, test/, source maps or TypeScript', () => {
    const out = execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'pack-agent.mjs'), '--out', path.join(tmp, 'pack')], { cwd: ROOT, encoding: 'utf8' });
    tarball = out.trim().split('\n').at(-1)!;
    const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    assert.equal(tarball, path.join(tmp, 'pack', `keepwatch-agent-${version}.tgz`));
    const entries = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
    assert.ok(entries.includes('package/dist/edge-agent/cli.js'));
    assert.ok(entries.includes('package/dist/shared/errors.js'));
    const meta = ['package/package.json', 'package/README.md', 'package/npm-shrinkwrap.json'];
    for (const m of meta) assert.ok(entries.includes(m), `${m} is packed`);
    const others = entries.filter((e) => !/^package\/dist\/(edge-agent|shared)\/.+\.js$/.test(e) && !meta.includes(e));
    assert.deepEqual(others, [], 'nothing but the compiled agent, the manifest, its lockfile and its README');
  });

  it('npm install -g --prefix gives keepwatch-agent, with production dependencies only', () => {
    assert.ok(tarball, 'packed');
    const r = spawnSync('npm', ['install', '-g', '--prefix', prefix, tarball, '--prefer-offline', '--no-audit', '--no-fund'], { cwd: tmp, encoding: 'utf8', timeout: 150_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(bin), `${bin} exists`);
    const modules = readdirSync(path.join(installed, 'node_modules'));
    for (const name of ['zod', 'mqtt', 'pino', 'yaml']) assert.ok(modules.includes(name), `${name} is installed`);
    for (const name of ['typescript', 'azurite', 'aedes', '@ffmpeg-installer', 'ffmpeg-static', 'playwright-core', 'fast-check']) {
      assert.ok(!modules.includes(name), `${name} (dev, Functions or bundled-ffmpeg dependency) is not installed`);
    }
    assert.ok(!readdirSync(path.join(installed, 'node_modules', '@azure')).includes('functions'), '@azure/functions is not installed');
    // The shrinkwrap pins what the repository's lockfile pins, transitive dependencies included (a newer
    // @azure/core-auth than the lockfile's declares Node >= 22).
    const lock = (JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> }).packages;
    for (const dep of ['@azure/core-auth', '@azure/storage-blob', 'mqtt', 'zod']) {
      const got = (JSON.parse(readFileSync(path.join(installed, 'node_modules', dep, 'package.json'), 'utf8')) as { version: string }).version;
      assert.equal(got, lock[`node_modules/${dep}`]!.version, `${dep}: installed ${got}, locked ${lock[`node_modules/${dep}`]!.version}`);
    }
  });

  it('the installed keepwatch-agent answers --help and --check, loading every module of the agent', () => {
    assert.ok(existsSync(bin), 'installed');
    // PATH without the repository's node_modules/.bin: the command the site box has.
    const env = { PATH: `${path.join(prefix, 'bin')}:${path.dirname(process.execPath)}:/usr/bin:/bin`, HOME: tmp, KW_PKG_BROKER_PW: 'device-secret-123' };
    const help = spawnSync('keepwatch-agent', ['--help'], { cwd: tmp, encoding: 'utf8', env, timeout: 20_000 });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /Usage: keepwatch-agent --config FILE/);
    const config = path.join(tmp, 'agent.yaml');
    writeFileSync(
      config,
      [
        'deviceId: site-1',
        `localMediaCachePath: ${path.join(tmp, 'cache')}`,
        'cameras: [{ id: door, url: "rtsp://192.0.2.10/stream1" }]',
        'broker: { url: "mqtt://127.0.0.1:1883", password: "${env:KW_PKG_BROKER_PW}" }',
        'upload: { connectionString: "DefaultEndpointsProtocol=http;AccountName=a;AccountKey=c2VjcmV0LWtleQ==;BlobEndpoint=http://127.0.0.1:1/a;" }',
        'metrics: { port: 9600, host: 0.0.0.0 }',
      ].join('\n'),
    );
    const check = spawnSync('keepwatch-agent', ['--config', config, '--check'], { cwd: tmp, encoding: 'utf8', env, timeout: 20_000 });
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stdout, /config is valid/);
    assert.match(check.stdout, /"metrics":\{"port":9600,"host":"0\.0\.0\.0"\}/);
    assert.ok(!check.stdout.includes('device-secret-123'), 'the broker password is redacted');
    const bad = spawnSync('keepwatch-agent', ['--config', config, '--check', '--log-level', 'loud'], { cwd: tmp, encoding: 'utf8', env, timeout: 20_000 });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /logLevel/);
  });
});
