import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';

const DIST = path.resolve(__dirname, '..', '..');
const run = (script: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [path.join(DIST, script), ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 20_000 });

describe('keepwatch-agent CLI', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-cli-'));
  const write = (name: string, text: string) => {
    const f = path.join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  const good = [
    'deviceId: site-1',
    'localMediaCachePath: cache-good',
    'cameras: [{ id: door, url: "rtsp://cam.local/stream", username: viewer, password: "${env:KW_CLI_CAM_PW}" }]',
    'broker: { url: "mqtt://127.0.0.1:1", password: "device-secret-123" }',
    'upload: { connectionString: "DefaultEndpointsProtocol=http;AccountName=a;AccountKey=c2VjcmV0LWtleQ==;BlobEndpoint=http://127.0.0.1:1/a;" }',
  ].join('\n');

  it('prints its usage with --help', () => {
    const r = run('edge-agent/cli.js', ['--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Usage: keepwatch-agent --config FILE/);
  });

  it('exits 2 naming every bad or unknown key, and starts nothing', () => {
    const f = write('bad.yaml', `${good.replace('localMediaCachePath: cache-good', 'localMediaCachePath: cache-bad')}\nsegmentLength: PT1S\ncolour: red\n`);
    const r = run('edge-agent/cli.js', ['--config', f], { KW_CLI_CAM_PW: 'x' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown key 'colour'/);
    assert.match(r.stderr, /segmentLength: PT1S is outside PT2S\.\.PT5M/);
    assert.equal(r.stderr, "keepwatch-agent: agent config: 2 problems:\n  segmentLength: PT1S is outside PT2S..PT5M\n  unknown key 'colour'\n", 'one problem per line');
    assert.equal(existsSync(path.join(dir, 'cache-bad')), false, 'no cache folder was created');
    const r3 = run('edge-agent/cli.js', ['--config', write('bad3.yaml', `${good}\nsegmentLength: PT6M\n`), '--check'], { KW_CLI_CAM_PW: 'x' });
    assert.equal(r3.status, 2);
    assert.match(r3.stderr, /segmentLength: PT6M is outside PT2S\.\.PT5M/);
    const r4 = run('edge-agent/cli.js', ['--config', f.replace('bad.yaml', 'missing.yaml')]);
    assert.equal(r4.status, 2);
    assert.match(r4.stderr, /cannot read .*missing\.yaml/);
  });

  it('--check validates and prints the config with secrets redacted', () => {
    const r = run('edge-agent/cli.js', ['--config', write('good.yaml', good), '--check'], { KW_CLI_CAM_PW: 'cam-pass-456' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /config is valid/);
    for (const secret of ['cam-pass-456', 'device-secret-123', 'c2VjcmV0LWtleQ==']) assert.ok(!r.stdout.includes(secret), `${secret} is not printed`);
    assert.match(r.stdout, /"segmentLengthMs":10000/);
  });

  it('--check reads the broker certificate files: a missing one is exit 2 naming the key and path', () => {
    const tls = good.replace('broker: { url: "mqtt://127.0.0.1:1", password: "device-secret-123" }', 'broker: { url: "mqtts://127.0.0.1:1", clientCertFile: site-1.crt, clientKeyFile: site-1.key }');
    const r = run('edge-agent/cli.js', ['--config', write('tls.yaml', tls), '--check'], { KW_CLI_CAM_PW: 'x' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, new RegExp(`broker\\.clientCertFile: cannot read ${path.join(dir, 'site-1.crt').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ENOENT`));
  });

  it('--camera ID=URL replaces the file\'s cameras; a malformed flag is a clear error', () => {
    const f = write('good2.yaml', good);
    const ok = run('edge-agent/cli.js', ['--config', f, '--check', '--camera', 'yard=rtsp://10.0.0.9/live'], { KW_CLI_CAM_PW: 'x' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /"id":"yard"/);
    assert.doesNotMatch(ok.stdout, /"id":"door"/);
    const bad = run('edge-agent/cli.js', ['--config', f, '--check', '--camera', 'yard'], { KW_CLI_CAM_PW: 'x' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--camera "yard": expected ID=URL/);
  });
});

describe('npm start CLI (local/start.js)', () => {
  it('--help lists the options and every setting', () => {
    const r = run('local/start.js', ['--help']);
    assert.equal(r.status, 0);
    for (const name of ['--camera', 'KEEPWATCH_API_KEY', 'KEEPWATCH_HTTP_PORT', 'KEEPWATCH_DATA_DIR', 'KEEPWATCH_MQTT_PORT', 'KEEPWATCH_AZURITE_BLOB_PORT', 'KEEPWATCH_AZURITE_TABLE_PORT', 'FFMPEG_PATH']) {
      assert.ok(r.stdout.includes(name), `help mentions ${name}`);
    }
  });

  it('refuses a malformed --camera and a bad port before starting anything', () => {
    const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'kw-start-')), 'data');
    const r = run('local/start.js', ['--camera', 'nourl'], { KEEPWATCH_DATA_DIR: dataDir });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /--camera "nourl": expected ID=URL/);
    const p = run('local/start.js', [], { KEEPWATCH_DATA_DIR: dataDir, KEEPWATCH_HTTP_PORT: 'seventy' });
    assert.equal(p.status, 1);
    assert.match(p.stderr, /KEEPWATCH_HTTP_PORT="seventy" is not a port number/);
    assert.equal(existsSync(dataDir), false, 'nothing was created');
  });
});
