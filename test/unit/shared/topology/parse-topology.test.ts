import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../../shared/errors';
import { importTopology } from '../../../../shared/topology/import-topology';
import { nodeKind, parseTopology } from '../../../../shared/topology/parse-topology';
import { readTopology, topologyText } from '../../../helpers/topologies';

const RTSP = 'rtsp://camera.example/s';

function lva(apiVersion: string | undefined, extra: Record<string, unknown> = {}) {
  const doc: Record<string, unknown> = {
    name: 'T',
    properties: {
      parameters: [{ name: 'rtspUrl', type: 'String' }],
      sources: [{ '@type': '#Microsoft.Media.MediaGraphRtspSource', name: 'src', endpoint: { '@type': '#Microsoft.Media.MediaGraphUnsecuredEndpoint', url: '${rtspUrl}' }, ...extra }],
      sinks: [{ '@type': '#Microsoft.Media.MediaGraphAssetSink', name: 'sink', assetNamePattern: 'a-${System.DateTime}', segmentLength: 'PT30S', localMediaCachePath: '/tmp/c', localMediaCacheMaximumSizeMiB: '100', inputs: [{ nodeName: 'src' }] }],
    },
  };
  if (apiVersion !== undefined) doc['@apiVersion'] = apiVersion;
  return doc;
}

function rejects(doc: unknown, pattern: RegExp): void {
  assert.throws(() => parseTopology(doc), (e: unknown) => e instanceof ValidationError && e.code === 'InvalidTopology' && pattern.test(e.message));
}

describe('topology parsing and dialects (shared/topology/parse-topology.ts)', () => {
  it('detects the dialect from node types and @apiVersion, inferring it when @apiVersion is missing', () => {
    assert.equal(parseTopology(lva('1.0')).dialect, 'lva-1.0');
    assert.equal(parseTopology(lva('2.0')).dialect, 'lva-2.0');
    assert.equal(parseTopology(lva(undefined)).dialect, 'lva-2.0');
    const lva1 = lva(undefined);
    (lva1.properties as { sinks: Array<Record<string, unknown>> }).sinks.push({ '@type': '#Microsoft.Media.MediaGraphFileSink', name: 'f', filePathPattern: '/m/x-${System.DateTime}', inputs: [{ nodeName: 'src' }] });
    assert.equal(parseTopology(lva1).dialect, 'lva-1.0');
    // ava-evr-motion-video-sink-file-sink has no @apiVersion (test/fixtures/azure-topologies/README.md).
    assert.equal(parseTopology(readTopology('ava-evr-motion-video-sink-file-sink')).dialect, 'ava-1.1');
  });

  it('reads CRLF and tab files as JSON.parse gives them', () => {
    assert.match(topologyText('lva-1.0-evr-httpExtension-assets'), /\r\n/);
    assert.match(topologyText('lva-1.0-evr-motion-assets-files'), /\t/);
    assert.equal(parseTopology(readTopology('lva-1.0-evr-httpExtension-assets')).name, 'EVRtoAssetsByHttpExtension');
    assert.equal(parseTopology(readTopology('lva-1.0-evr-motion-assets-files')).dialect, 'lva-1.0');
  });

  it('normalises LVA and AVA type names to one kind', () => {
    assert.equal(nodeKind('#Microsoft.Media.MediaGraphIoTHubMessageSink'), 'iothubmessagesink');
    assert.equal(nodeKind('#Microsoft.VideoAnalyzer.IotHubMessageSink'), 'iothubmessagesink');
    assert.equal(nodeKind('#Microsoft.VideoAnalyzer.RtspSource'), 'rtspsource');
  });

  it('matches parameter types case-insensitively and refuses unknown ones', () => {
    const doc = lva('2.0');
    const params = (doc.properties as { parameters: Array<Record<string, unknown>> }).parameters;
    params.push({ name: 'a', type: 'secretString', default: 'x' }, { name: 'b', type: 'INT', default: '1' }, { name: 'c', type: 'Bool', default: 'false' });
    assert.deepEqual(parseTopology(doc).parameters.map((p) => p.type), ['string', 'secretstring', 'int', 'bool']);
    params.push({ name: 'd', type: 'Float' });
    rejects(doc, /parameter 'd' has type "Float"/);
  });

  it('matches enum values case-insensitively (transport Tcp/HTTP, sensitivity Medium, scale mode PAD)', () => {
    for (const [written, expected] of [['Tcp', 'tcp'], ['HTTP', 'http'], ['tcp', 'tcp']]) {
      const r = importTopology(lva('2.0', { transport: written }), { name: 'p', parameters: { rtspUrl: RTSP } });
      assert.equal(r.cameras[0].rtspTransport, expected);
    }
    assert.throws(() => importTopology(lva('2.0', { transport: 'udp' }), { name: 'p', parameters: { rtspUrl: RTSP } }), /transport "udp" is not one of tcp, http/);
  });

  it('refuses what is not a topology: no name, no properties, unknown types, duplicate names, dangling inputs', () => {
    rejects('text', /expected a JSON object/);
    rejects({ properties: {} }, /expected a "name" string/);
    rejects({ name: 'x' }, /expected a "properties" object/);
    rejects({ name: 'x', properties: { sources: [{ '@type': '#Other.Thing', name: 'n' }] } }, /neither LVA .* nor AVA/);
    const dup = lva('2.0');
    (dup.properties as { sinks: Array<Record<string, unknown>> }).sinks[0].name = 'src';
    rejects(dup, /node name 'src' is used twice/);
    const dangling = lva('2.0');
    (dangling.properties as { sinks: Array<Record<string, unknown>> }).sinks[0].inputs = [{ nodeName: 'nowhere' }];
    rejects(dangling, /node 'sink' has input 'nowhere', which is not a node/);
  });
});
