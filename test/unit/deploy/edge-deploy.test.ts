import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadAgentConfig } from '../../../edge-agent/config/load-config';

/**
 * The installed forms of the agent in deploy/edge/ agree with each other and with the agent: the Azure IoT Edge
 * manifest's module mounts the image's volumes, runs the config path the systemd unit runs, and sets exactly the
 * environment the example config's `${env:NAME}` placeholders read; the example config validates, and its cache and
 * metrics port are where the image's volume and HEALTHCHECK expect them; the systemd unit is hardened, restarts on
 * failure but not on a bad config, and passes `systemd-analyze verify` where systemd is installed. (The image itself is
 * built and run by scripts/container-check.sh.)
 */

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const EDGE = path.join(ROOT, 'deploy', 'edge');
const CONFIG_IN_CONTAINER = '/etc/keepwatch/agent.yaml';
const EXAMPLE = path.join(EDGE, 'agent.example.yaml');
const containerfile = readFileSync(path.join(EDGE, 'Containerfile'), 'utf8');
const unitText = readFileSync(path.join(EDGE, 'keepwatch-agent.service'), 'utf8');

/** The `${env:NAME}` placeholders of a config text, comments left out. */
function envPlaceholders(text: string): string[] {
  const names = new Set<string>();
  for (const line of text.split('\n').map((l) => l.replace(/(^|\s)#.*$/, ''))) for (const m of line.matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g)) names.add(m[1]!);
  return [...names].sort();
}

/** `Key=value` settings of a systemd unit by key (a key given twice keeps both values), comments and sections dropped. */
function unitSettings(text: string): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m) settings.set(m[1]!, [...(settings.get(m[1]!) ?? []), m[2]!]);
  }
  return settings;
}

/** The image's declared volumes (`VOLUME ["/a", "/b"]`). */
function imageVolumes(): string[] {
  const m = /^VOLUME (\[.*\])$/m.exec(containerfile);
  assert.ok(m, 'the Containerfile declares its volumes in JSON form');
  return (JSON.parse(m[1]!) as string[]).sort();
}

/** A value the example's placeholders accept: the device secret is 43 base64url characters. */
const EXAMPLE_ENV = { KEEPWATCH_DEVICE_SECRET: 'A'.repeat(43), KEEPWATCH_CAMERA_PASSWORD: 'camera-password' };

type EdgeModule = {
  type: string;
  status: string;
  restartPolicy: string;
  env: Record<string, { value: string }>;
  settings: { image: string; createOptions: { Cmd: string[]; HostConfig: { Binds: string[]; CapDrop?: string[]; SecurityOpt?: string[] } } };
};

describe('deploy/edge: IoT Edge manifest, example config, systemd unit', () => {
  const manifest = JSON.parse(readFileSync(path.join(EDGE, 'deployment.template.json'), 'utf8')) as {
    modulesContent: Record<string, { 'properties.desired': { schemaVersion: string; systemModules?: Record<string, unknown>; modules?: Record<string, EdgeModule> } }>;
  };
  const desired = manifest.modulesContent.$edgeAgent!['properties.desired'];
  const agentModule = desired.modules?.keepwatchAgent;

  it('the manifest runs the keepwatch-agent image as an always-restarted docker module beside edgeAgent and edgeHub', () => {
    assert.ok(agentModule, 'module keepwatchAgent');
    assert.deepEqual(Object.keys(desired.systemModules ?? {}).sort(), ['edgeAgent', 'edgeHub']);
    assert.ok(manifest.modulesContent.$edgeHub, '$edgeHub desired properties');
    assert.equal(agentModule.type, 'docker');
    assert.equal(agentModule.status, 'running');
    assert.equal(agentModule.restartPolicy, 'always');
    const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    assert.match(agentModule.settings.image, new RegExp(`/keepwatch-agent:${version.replace(/\./g, '\\.')}$`), 'the image tag is the package version');
    const create = agentModule.settings.createOptions;
    assert.deepEqual(create.HostConfig.CapDrop, ['ALL']);
    assert.deepEqual(create.HostConfig.SecurityOpt, ['no-new-privileges']);
    // IoT Hub keeps createOptions as a string in the module twin; one string value holds at most 4 KB.
    assert.ok(JSON.stringify(create).length < 4096, `createOptions is ${JSON.stringify(create).length} characters`);
  });

  it('its binds mount exactly the image volumes (config read-only) and its Cmd reads the config inside the config volume', () => {
    const create = agentModule!.settings.createOptions;
    const binds = create.HostConfig.Binds.map((b) => {
      const [host, container, mode] = b.split(':');
      return { host: host!, container: container!, mode };
    });
    assert.deepEqual(binds.map((b) => b.container).sort(), imageVolumes());
    const configBind = binds.find((b) => b.container === '/etc/keepwatch')!;
    assert.equal(configBind.mode, 'ro', 'the agent never writes its config');
    assert.deepEqual(create.Cmd, ['--config', CONFIG_IN_CONTAINER]);
    assert.ok(CONFIG_IN_CONTAINER.startsWith(`${configBind.container}/`));
    assert.match(containerfile, new RegExp(`^CMD \\["--config", "${CONFIG_IN_CONTAINER}"\\]$`, 'm'), 'the image runs the same config path by default');
    assert.match(containerfile, /^ENTRYPOINT \["keepwatch-agent"\]$/m);
  });

  it('its env is exactly what the example config reads through ${env:NAME}, as placeholders, never a literal secret', () => {
    const names = envPlaceholders(readFileSync(EXAMPLE, 'utf8'));
    assert.deepEqual(names, Object.keys(EXAMPLE_ENV).sort());
    assert.deepEqual(Object.keys(agentModule!.env).sort(), names);
    for (const [name, { value }] of Object.entries(agentModule!.env)) assert.equal(value, `$${name}`, `${name} is filled in at deployment from the environment or .env`);
  });

  it('the example config validates; its cache lies in the cache volume and its /health where the HEALTHCHECK asks', () => {
    const config = loadAgentConfig(EXAMPLE, {}, EXAMPLE_ENV);
    const cacheVolume = imageVolumes().find((v) => v !== '/etc/keepwatch')!;
    assert.equal(cacheVolume, '/var/lib/keepwatch');
    assert.ok(config.localMediaCachePath.startsWith(`${cacheVolume}/`), `localMediaCachePath ${config.localMediaCachePath}`);
    assert.ok(config.metrics, 'metrics on');
    const healthUrl = /KEEPWATCH_HEALTH_URL=(\S+)/.exec(containerfile)?.[1];
    assert.equal(healthUrl, `http://${config.metrics.host}:${config.metrics.port}/health`);
    assert.match(containerfile, new RegExp(`^EXPOSE ${config.metrics.port}$`, 'm'));
    assert.match(containerfile, /^USER keepwatch$/m);
    assert.match(containerfile, /^HEALTHCHECK .*\n\s+CMD \["node", "-e", "fetch\(process\.env\.KEEPWATCH_HEALTH_URL/m);
    assert.match(containerfile, /^ARG BASE=\S+\n\nFROM \$\{BASE\} AS build$/m, 'FROM takes the BASE build argument');
  });

  it('the systemd unit runs the same config as the dedicated user, hardened, restarting on failure but not on exit 2', () => {
    const s = unitSettings(unitText);
    const one = (key: string) => {
      assert.equal(s.get(key)?.length, 1, `${key} is set once`);
      return s.get(key)![0]!;
    };
    assert.equal(one('ExecStart'), `/usr/local/bin/keepwatch-agent --config ${CONFIG_IN_CONTAINER}`);
    assert.equal(one('User'), 'keepwatch');
    assert.equal(one('StateDirectory'), 'keepwatch', '/var/lib/keepwatch, as the example config\'s cache');
    assert.equal(one('ReadWritePaths'), '/var/lib/keepwatch');
    assert.equal(one('WorkingDirectory'), '/var/lib/keepwatch');
    assert.equal(one('EnvironmentFile'), '-/etc/keepwatch/agent.env');
    for (const [key, value] of [['NoNewPrivileges', 'yes'], ['ProtectSystem', 'strict'], ['ProtectHome', 'yes'], ['PrivateTmp', 'yes'], ['CapabilityBoundingSet', ''], ['Restart', 'always'], ['KillMode', 'mixed'], ['RestartPreventExitStatus', '2']]) {
      assert.equal(one(key), value, key);
    }
    // Exit 2 is what the agent returns for a bad config (so restarting cannot help).
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-unit-'));
    writeFileSync(path.join(dir, 'agent.yaml'), 'deviceId: site-1\ncolour: red\n');
    const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'edge-agent', 'cli.js'), '--config', path.join(dir, 'agent.yaml'), '--check'], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 2, r.stderr);
  });

  it('docs/edge.md\'s envsubst fills every placeholder of the manifest and leaves its $edgeAgent/$edgeHub keys alone', (t) => {
    const placeholders = [...new Set(readFileSync(path.join(EDGE, 'deployment.template.json'), 'utf8').match(/\$[A-Z][A-Z0-9_]*/g))].sort();
    assert.deepEqual(placeholders, ['$CONTAINER_REGISTRY_ADDRESS', '$CONTAINER_REGISTRY_PASSWORD', '$CONTAINER_REGISTRY_USERNAME', '$KEEPWATCH_CAMERA_PASSWORD', '$KEEPWATCH_DEVICE_SECRET']);
    const doc = readFileSync(path.join(ROOT, 'docs', 'edge.md'), 'utf8');
    const command = /^envsubst '([^']+)' < deploy\/edge\/deployment\.template\.json > deployment\.json$/m.exec(doc);
    assert.ok(command, 'docs/edge.md fills the template with envsubst and a variable list');
    assert.deepEqual(command[1]!.split(' ').sort(), placeholders, 'the documented list names every placeholder');
    if (spawnSync('envsubst', ['--version']).status !== 0) {
      t.skip('envsubst is not installed (apt-get install gettext-base)');
      return;
    }
    const env = { PATH: process.env.PATH, CONTAINER_REGISTRY_ADDRESS: 'example.azurecr.io', CONTAINER_REGISTRY_USERNAME: 'user', CONTAINER_REGISTRY_PASSWORD: 'registry-password', KEEPWATCH_DEVICE_SECRET: 'B'.repeat(43), KEEPWATCH_CAMERA_PASSWORD: 'cam' };
    const r = spawnSync('envsubst', [command[1]!], { input: readFileSync(path.join(EDGE, 'deployment.template.json')), encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /\$[A-Z]/, 'no placeholder left');
    assert.ok(r.stdout.includes('"$edgeAgent"') && r.stdout.includes('"$edgeHub"') && r.stdout.includes('"$schema-template"'));
    const filled = JSON.parse(r.stdout) as typeof manifest;
    const mod = filled.modulesContent.$edgeAgent!['properties.desired'].modules!.keepwatchAgent!;
    assert.equal(mod.settings.image, 'example.azurecr.io/keepwatch-agent:0.1.0'.replace('0.1.0', (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version));
    assert.equal(mod.env.KEEPWATCH_DEVICE_SECRET!.value, 'B'.repeat(43));
  });

  it('systemd-analyze verify accepts the unit without a warning', (t) => {
    if (spawnSync('systemd-analyze', ['--version']).status !== 0) {
      t.skip('systemd-analyze is not installed (apt-get install systemd)');
      return;
    }
    // verify checks that ExecStart's binary exists: point it at this build's agent for the check.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-unit-'));
    const unit = path.join(dir, 'keepwatch-agent.service');
    writeFileSync(unit, unitText.replace('ExecStart=/usr/local/bin/keepwatch-agent', `ExecStart=${process.execPath} ${path.join(ROOT, 'dist', 'edge-agent', 'cli.js')}`));
    const r = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    // Unknown keys and bad values are only warnings (exit 0): none may be printed for the unit.
    const warnings = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.includes(unit));
    assert.deepEqual(warnings, []);
  });
});
