import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import YAML from 'yaml';
import { loadAgentConfig } from '../../edge-agent/config/load-config';
import { topologyPath } from '../helpers/topologies';

const CLI = path.join(__dirname, '..', '..', 'edge-agent', 'cli.js');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, 'import-topology', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('keepwatch-agent import-topology (edge-agent/config/import-topology-command.ts)', () => {
  it('prints an agent config fragment the agent loads, the policy as comments, and keeps SecretString values out', () => {
    const r = cli(topologyPath('ava-evr-motion-video-sink'), '--param', 'rtspUrl=rtsp://10.0.0.5/s', '--param', 'motionSensitivity=High', '--pipeline-name', 'Door_1');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /# cloud recording policy of camera 'door-1': PUT \/api\/cameras\/door-1\/policy/);
    assert.match(r.stdout, /#\s+"activationSignalOffset": "PT0S"/);
    const fragment = YAML.parse(r.stdout) as Record<string, unknown>;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-import-cli-'));
    const file = path.join(dir, 'agent.yaml');
    writeFileSync(file, YAML.stringify({ deviceId: 'site-1', broker: { url: 'mqtt://localhost' }, upload: { connectionString: 'UseDevelopmentStorage=true' }, ...fragment, localMediaCachePath: './cache' }));
    const config = loadAgentConfig(file, {}, {});
    assert.deepEqual(config.cameras.map((c) => [c.id, c.mode, c.motionDetection?.params.pixelThreshold]), [['door-1', 'evr', 15]]);

    const secret = mkdtempSync(path.join(os.tmpdir(), 'kw-import-cli-'));
    const topology = path.join(secret, 'topology.json');
    writeFileSync(topology, `\uFEFF${JSON.stringify({ '@apiVersion': '1.1', name: 'S', properties: { parameters: [{ name: 'rtspUrl', type: 'String' }, { name: 'pw', type: 'SecretString' }], sources: [{ '@type': '#Microsoft.VideoAnalyzer.RtspSource', name: 'src', endpoint: { '@type': '#Microsoft.VideoAnalyzer.UnsecuredEndpoint', url: '${rtspUrl}', credentials: { '@type': '#Microsoft.VideoAnalyzer.UsernamePasswordCredentials', username: 'u', password: '${pw}' } } }], sinks: [{ '@type': '#Microsoft.VideoAnalyzer.VideoSink', name: 'v', videoName: 'v', inputs: [{ nodeName: 'src' }] }] } })}\r\n`);
    const s = cli(topology, '--param', 'rtspUrl=rtsp://c/s', '--param', 'pw=hunter2', '--output', 'json');
    assert.equal(s.code, 0, s.stderr);
    assert.ok(!s.stdout.includes('hunter2'));
    assert.equal((JSON.parse(s.stdout) as { cameras: Array<{ password: string }> }).cameras[0].password, '${env:KEEPWATCH_PARAM_PW}');
  });

  it('the agent config loader expands a pipelines entry whose topologyFile is relative to the config file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-import-cli-'));
    const file = path.join(dir, 'agent.yaml');
    const pipelines = [{ name: 'Lobby', topologyFile: path.relative(dir, topologyPath('lva-1.0-cvr-asset')), parameters: { rtspUrl: 'rtsp://c/lobby', rtspPassword: '${env:LOBBY_PW}' } }];
    writeFileSync(file, YAML.stringify({ deviceId: 'site-1', broker: { url: 'mqtt://localhost' }, upload: { connectionString: 'UseDevelopmentStorage=true' }, localMediaCachePath: './cache', pipelines }));
    const notes: Parameters<typeof loadAgentConfig>[3] = [];
    const config = loadAgentConfig(file, {}, { LOBBY_PW: 'from-env' }, notes);
    assert.deepEqual(config.cameras.map((c) => [c.id, c.url, c.password, c.mode]), [['lobby', 'rtsp://c/lobby', 'from-env', 'cvr']]);
    assert.equal(config.segmentLengthMs, 30_000);
    assert.equal(config.localMediaCachePath, path.join(dir, 'cache'));
    assert.ok(notes.some((n) => n.pipeline === 'Lobby' && /records by its cloud policy \(cvr\)/.test(n.message)));
    assert.throws(() => loadAgentConfig(file, {}, {}), /LOBBY_PW/);
  });

  it('exits 2 naming every unsupported node, a missing parameter or a bad flag', () => {
    const grpc = cli(topologyPath('ava-line-crossing'), '--param', 'rtspUrl=rtsp://c/s');
    assert.equal(grpc.code, 2);
    assert.match(grpc.stderr, /objectTracker \(#Microsoft\.VideoAnalyzer\.ObjectTrackingProcessor\), lineCrossing \(#Microsoft\.VideoAnalyzer\.LineCrossingProcessor\)/);
    assert.equal(grpc.stdout, '');
    const missing = cli(topologyPath('lva-2.0-cvr-asset'));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /required parameter 'rtspUrl' not supplied/);
    assert.equal(cli(topologyPath('lva-2.0-cvr-asset'), '--param', 'rtspUrl').code, 2);
    assert.match(cli(topologyPath('lva-2.0-cvr-asset'), '--param', 'rtspUrl=rtsp://c/s', '--output', 'xml').stderr, /--output "xml": expected agent, policy or json/);
    assert.match(cli('/nonexistent/topology.json').stderr, /topology file \/nonexistent\/topology.json: cannot be read/);
    assert.equal(cli(topologyPath('lva-2.0-cvr-asset'), '--param', 'rtspUrl=rtsp://c/s', '--api-url', 'http://127.0.0.1:9').code, 2, '--api-url without --api-key');
  });

  it('exits 3 when the API cannot be reached, after printing the import', () => {
    const r = cli(topologyPath('lva-2.0-cvr-asset'), '--param', 'rtspUrl=rtsp://c/s', '--pipeline-name', 'lobby', '--output', 'policy', '--api-url', 'http://127.0.0.1:9', '--api-key', 'k');
    assert.equal(r.code, 3);
    assert.deepEqual(JSON.parse(r.stdout), { lobby: { mode: 'cvr', retention: { archive: 'P7D' } } });
    assert.match(r.stderr, /PUT http:\/\/127\.0\.0\.1:9\/api\/cameras\/lobby\/policy failed/);
  });
});
