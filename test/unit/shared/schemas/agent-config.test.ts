import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../../shared/errors';
import { DEPRECATED_EVR_CACHE_HORIZON_WARNING, parseAgentConfig } from '../../../../shared/schemas/agent-config';

const base = {
  deviceId: 'site-1',
  cameras: [{ id: 'door-1', url: 'rtsp://10.0.0.5/stream' }],
  broker: { url: 'mqtt://127.0.0.1:1883', password: 'pw' },
  upload: { connectionString: 'UseDevelopmentStorage=true' },
};

function rejects(doc: unknown, pattern: RegExp): void {
  assert.throws(() => parseAgentConfig(doc), (err: unknown) => err instanceof ValidationError && pattern.test(err.message));
}

describe('agent config', () => {
  it('applies defaults and converts units (PT10S → 10000 ms, MiB → bytes)', () => {
    const c = parseAgentConfig(base);
    assert.equal(c.segmentLengthMs, 10_000);
    assert.equal(c.maxCacheBytes, 2048 * 1024 * 1024);
    assert.equal(c.cameraReconnectMaximumDelayMs, 30_000);
    assert.equal(c.cameraWatchdogTimeoutMs, 15_000);
    assert.equal(c.cameras[0].rtspTransport, 'tcp');
    assert.equal(c.broker.protocolVersion, 5);
    assert.equal('container' in c.upload && c.upload.container, 'recordings');
  });

  it('names unknown keys with their path', () => {
    rejects({ ...base, colour: 'red' }, /unknown key 'colour'/);
    rejects({ ...base, cameras: [{ ...base.cameras[0], fps: 5 }] }, /unknown key 'fps' at cameras\[0\]/);
  });

  it('names bad values with their key', () => {
    rejects({ ...base, segmentLength: 'PT1S' }, /segmentLength: PT1S is outside PT2S\.\.PT5M/);
    rejects({ ...base, segmentLength: 'PT6M' }, /segmentLength: PT6M is outside/);
    rejects({ ...base, segmentLength: '10s' }, /segmentLength: "10s" is not an ISO 8601 duration/);
    rejects({ ...base, localMediaCacheMaximumSizeMiB: 0 }, /localMediaCacheMaximumSizeMiB/);
    rejects({ ...base, cameras: [{ id: '../x', url: 'rtsp://a' }] }, /cameras\[0\]\.id/);
    rejects({ ...base, cameras: [] }, /cameras: expected at least one camera/);
    rejects({ ...base, broker: { url: 'http://x' } }, /broker\.url/);
    rejects({ ...base, deviceId: 'A' }, /deviceId/);
    rejects({ ...base, cameras: [base.cameras[0], base.cameras[0]] }, /camera id 'door-1' appears more than once/);
    rejects({ ...base, metrics: { port: 70000 } }, /metrics/);
    rejects({ ...base, cameraReconnectMaximumDelay: 'PT0.5S' }, /cameraReconnectMaximumDelay: PT0.5S is outside PT1S\.\.PT5M/);
    rejects({ ...base, cameraReconnectMaximumDelay: 'soon' }, /cameraReconnectMaximumDelay/);
    rejects({ ...base, cameraWatchdogTimeout: 'PT1S' }, /cameraWatchdogTimeout: PT1S is outside PT2S\.\.PT5M/);
    rejects({ ...base, metrics: { port: 9600, path: '/m' } }, /path/);
    rejects({ ...base, upload: { connectionString: 'x', container: 'ab' } }, /upload.*container name/);
    rejects({ ...base, upload: { connectionString: 'x', container: 'a--b' } }, /upload.*container name/);
  });

  it('upload through the cloud: apiUrl + deviceSecret, container defaulted; bad URL, secret or extra keys refused', () => {
    const secret = 'q9G3f0mXK2c7yT1bVnR8sLwPzA4dE6hJ5uIoYtQxWc0';
    assert.deepEqual(parseAgentConfig({ ...base, upload: { apiUrl: 'https://kw.example.com/api', deviceSecret: secret } }).upload, { apiUrl: 'https://kw.example.com/api', deviceSecret: secret, container: 'recordings' });
    rejects({ ...base, upload: { apiUrl: 'ftp://kw.example.com/api', deviceSecret: secret } }, /upload/);
    rejects({ ...base, upload: { apiUrl: 'https://kw.example.com/api?code=k', deviceSecret: secret } }, /upload/);
    rejects({ ...base, upload: { apiUrl: 'https://kw.example.com/api', deviceSecret: 'short' } }, /upload/);
    rejects({ ...base, upload: { apiUrl: 'https://kw.example.com/api', deviceSecret: secret, connectionString: 'x' } }, /upload/);
  });

  it('serves metrics on AVA\'s port 9600 on the device itself by default, or not at all', () => {
    assert.deepEqual(parseAgentConfig(base).metrics, { port: 9600, host: '127.0.0.1' });
    assert.equal(parseAgentConfig({ ...base, metrics: false }).metrics, false);
    assert.deepEqual(parseAgentConfig({ ...base, metrics: { port: 0, host: '0.0.0.0' } }).metrics, { port: 0, host: '0.0.0.0' });
  });

  it('EVR: camera mode defaults to cvr, evrCacheHorizon to PT1M30S (ms), within PT10S..PT10M', () => {
    const warnings: string[] = [];
    const c = parseAgentConfig(base, (m) => warnings.push(m));
    assert.equal(c.cameras[0].mode, 'cvr');
    assert.equal(c.evrCacheHorizonMs, 90_000);
    assert.equal(parseAgentConfig({ ...base, evrCacheHorizon: 'PT10S' }, (m) => warnings.push(m)).evrCacheHorizonMs, 10_000);
    assert.deepEqual(warnings, []);
    rejects({ ...base, evrCacheHorizon: 'PT5S' }, /evrCacheHorizon: PT5S is outside PT10S\.\.PT10M/);
    rejects({ ...base, evrCacheHorizon: 'PT11M' }, /evrCacheHorizon: PT11M is outside/);
    rejects({ ...base, cameras: [{ ...base.cameras[0], mode: 'motion' }] }, /cameras\[0\]\.mode/);
  });

  it('EVR: the old key evrCacheHold is read as evrCacheHorizon, with one warning naming the new key', () => {
    const warnings: string[] = [];
    const c = parseAgentConfig({ ...base, evrCacheHold: 'PT2M' }, (m) => warnings.push(m));
    assert.equal(c.evrCacheHorizonMs, 120_000);
    assert.equal('evrCacheHold' in c, false);
    assert.deepEqual(warnings, [DEPRECATED_EVR_CACHE_HORIZON_WARNING]);
    assert.match(warnings[0], /evrCacheHold is the old name of evrCacheHorizon.*rename it to evrCacheHorizon/);
    assert.equal(parseAgentConfig({ ...base, evrCacheHold: 'PT2M' }).evrCacheHorizonMs, 120_000, 'no warn callback: still read');
    rejects({ ...base, evrCacheHold: 'PT5S' }, /evrCacheHold: PT5S is outside PT10S\.\.PT10M/);
  });

  it('EVR: evrCacheHold beside evrCacheHorizon is a config error, even when they agree', () => {
    rejects({ ...base, evrCacheHold: 'PT2M', evrCacheHorizon: 'PT1M' }, /evrCacheHold and evrCacheHorizon are both set: evrCacheHold is the old name of evrCacheHorizon; keep only evrCacheHorizon/);
    rejects({ ...base, evrCacheHold: 'PT2M', evrCacheHorizon: 'PT2M' }, /keep only evrCacheHorizon/);
  });

  it("EVR: a file sink (AVA's baseDirectoryPath, fileNamePattern, maximumSizeMiB) needs mode evr and known variables", () => {
    const fileSink = { baseDirectoryPath: '/var/media/door', fileNamePattern: 'door-${System.Runtime.DateTime}', maximumSizeMiB: 100 };
    const c = parseAgentConfig({ ...base, cameras: [{ ...base.cameras[0], mode: 'evr', fileSink }] });
    assert.deepEqual(c.cameras[0].fileSink, fileSink);
    rejects({ ...base, cameras: [{ ...base.cameras[0], fileSink }] }, /camera 'door-1': fileSink needs mode 'evr'/);
    rejects({ ...base, cameras: [{ ...base.cameras[0], mode: 'evr', fileSink: { ...fileSink, fileNamePattern: 'x-${System.PipelineName}' } }] }, /fileNamePattern.*unknown variable \$\{System\.PipelineName\}/);
    rejects({ ...base, cameras: [{ ...base.cameras[0], mode: 'evr', fileSink: { ...fileSink, baseDirectoryPath: 'media' } }] }, /baseDirectoryPath: expected an absolute path/);
    rejects({ ...base, cameras: [{ ...base.cameras[0], mode: 'evr', fileSink: { ...fileSink, maximumSizeMiB: 0 } }] }, /maximumSizeMiB/);
  });

  it('broker X.509: certificate and key together, TLS URLs only, not beside a password', () => {
    const tlsBroker = { url: 'mqtts://ns.westeurope-1.ts.eventgrid.azure.net:8883', clientCertFile: 'site-1.crt', clientKeyFile: 'site-1.key' };
    const ok = parseAgentConfig({ ...base, broker: tlsBroker });
    assert.equal(ok.broker.clientCertFile, 'site-1.crt');
    assert.equal(parseAgentConfig({ ...base, broker: { url: 'wss://broker:443/mqtt', password: 'pw', caFile: 'ca.pem' } }).broker.caFile, 'ca.pem');
    rejects({ ...base, broker: { ...tlsBroker, clientKeyFile: undefined } }, /broker\.clientCertFile needs broker\.clientKeyFile/);
    rejects({ ...base, broker: { ...tlsBroker, clientCertFile: undefined } }, /broker\.clientKeyFile needs broker\.clientCertFile/);
    rejects({ ...base, broker: { ...tlsBroker, url: 'mqtt://user:pw@broker:1883' } }, /broker\.clientCertFile needs a TLS broker URL \(mqtts:\/\/ or wss:\/\/\), not mqtt:\/\/$/);
    rejects({ ...base, broker: { url: 'ws://broker/mqtt', caFile: 'ca.pem' } }, /broker\.caFile needs a TLS broker URL/);
    rejects({ ...base, broker: { ...tlsBroker, password: 'pw' } }, /broker\.password and broker\.clientCertFile are mutually exclusive/);
    rejects({ ...base, broker: { ...tlsBroker, clientCertFile: '' } }, /clientCertFile/);
  });
});
