import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadAgentConfig, type AgentConfigNote } from '../../../../edge-agent/config/load-config';
import { ValidationError } from '../../../../shared/errors';

const base = {
  deviceId: 'site-1',
  cameras: [{ id: 'door-1', url: 'rtsp://10.0.0.5/stream' }],
  broker: { url: 'mqtt://127.0.0.1:1883', password: 'pw' },
  upload: { connectionString: 'UseDevelopmentStorage=true' },
};

describe('agent config file', () => {
  it('loads YAML, resolves ${env:NAME} secrets and the cache path, and names unset variables', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-config-'));
    const file = path.join(dir, 'agent.yaml');
    writeFileSync(file, [
      'deviceId: site-1',
      'segmentLength: PT4S',
      'localMediaCachePath: cache',
      'cameras:',
      '  - id: door-1',
      '    url: rtsp://10.0.0.5/stream',
      '    password: ${env:KW_TEST_CAM_PW}',
      'broker: { url: "mqtt://127.0.0.1:1883", password: "${env:KW_TEST_BROKER_PW}" }',
      'upload: { connectionString: UseDevelopmentStorage=true }',
    ].join('\n'));
    const c = loadAgentConfig(file, {}, { KW_TEST_CAM_PW: 'cam-secret', KW_TEST_BROKER_PW: 'b' });
    assert.equal(c.cameras[0].password, 'cam-secret');
    assert.equal(c.localMediaCachePath, path.join(dir, 'cache'));
    assert.equal(c.segmentLengthMs, 4000);
    assert.throws(() => loadAgentConfig(file, {}, { KW_TEST_BROKER_PW: 'b' }), /cameras\[0\]\.password refers to environment variable KW_TEST_CAM_PW, which is not set/);
    writeFileSync(file, 'deviceId: [unclosed');
    assert.throws(() => loadAgentConfig(file), /not valid YAML or JSON/);
  });

  it('tells one warning note for the old key evrCacheHold (read as evrCacheHorizon), none for the new key', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-cfg-horizon-'));
    const file = path.join(dir, 'agent.yaml');
    writeFileSync(file, JSON.stringify({ ...base, evrCacheHold: 'PT3M' }));
    const notes: AgentConfigNote[] = [];
    assert.equal(loadAgentConfig(file, {}, {}, notes).evrCacheHorizonMs, 180_000);
    assert.deepEqual(notes, [{ level: 'warn', message: 'agent config: evrCacheHold is the old name of evrCacheHorizon and is read as it; rename it to evrCacheHorizon' }]);

    writeFileSync(file, JSON.stringify({ ...base, evrCacheHorizon: 'PT3M' }));
    const none: AgentConfigNote[] = [];
    assert.equal(loadAgentConfig(file, {}, {}, none).evrCacheHorizonMs, 180_000);
    assert.deepEqual(none, []);

    writeFileSync(file, JSON.stringify({ ...base, evrCacheHold: 'PT3M', evrCacheHorizon: 'PT3M' }));
    assert.throws(() => loadAgentConfig(file, {}, {}), (err: unknown) => err instanceof ValidationError && /evrCacheHold and evrCacheHorizon are both set/.test(err.message));
  });

  it('broker X.509: certificate and key paths relative to the config file', () => {
    const tlsBroker = { url: 'mqtts://ns.westeurope-1.ts.eventgrid.azure.net:8883', clientCertFile: 'site-1.crt', clientKeyFile: 'site-1.key' };
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-cfg-tls-'));
    const file = path.join(dir, 'agent.json');
    writeFileSync(file, JSON.stringify({ ...base, broker: { ...tlsBroker, caFile: '/etc/ssl/ca.pem' } }));
    const loaded = loadAgentConfig(file, {}, {});
    assert.equal(loaded.broker.clientCertFile, path.join(dir, 'site-1.crt'));
    assert.equal(loaded.broker.clientKeyFile, path.join(dir, 'site-1.key'));
    assert.equal(loaded.broker.caFile, '/etc/ssl/ca.pem');
  });
});
