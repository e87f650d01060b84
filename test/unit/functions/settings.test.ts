import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../shared/errors';
import { parseStorageConnectionString } from '../../../functions/adapters/storage/connection-string';
import { parseSettings, resetSettings, retentionSchedule, settings } from '../../../functions/settings';

const CS = 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;TableEndpoint=http://127.0.0.1:2/devstoreaccount1;';
const base = { KEEPWATCH_STORAGE_CONNECTION_STRING: CS, KEEPWATCH_PLAYBACK_TOKEN_SECRET: 's'.repeat(32) };

function fails(env: Record<string, string | undefined>, setting: string, pattern: RegExp): void {
  assert.throws(
    () => parseSettings(env),
    (e: unknown) => e instanceof ValidationError && e.code === 'InvalidSetting' && e.message.includes(setting) && pattern.test(e.message),
    setting,
  );
}

describe('functions settings', () => {
  it('applies the defaults', () => {
    const s = parseSettings(base);
    assert.equal(s.recordingsContainer, 'recordings');
    assert.equal(s.tablePrefix, 'kw');
    assert.deepEqual(s.tables, {
      segments: 'kwSegments',
      cameras: 'kwCameras',
      availability: 'kwAvailability',
      deadLetters: 'kwDeadLetters',
      gaps: 'kwGaps',
      policies: 'kwPolicies',
      holds: 'kwHolds',
      retention: 'kwRetention',
      events: 'kwEvents',
      recordings: 'kwRecordings',
      gates: 'kwGates',
      devices: 'kwDevices',
      pipelines: 'kwPipelines',
      health: 'kwHealth',
      liveMarks: 'kwLiveMarks',
      manifests: 'kwManifests',
      shares: 'kwShares',
      signals: 'kwSignals',
    });
    assert.deepEqual(s.mqtt, { username: 'keepwatch-cloud', password: undefined });
    assert.equal(s.playbackTtlMs, 3_600_000);
    assert.equal(s.retentionDefault, 'P7D');
    assert.equal(s.publicBaseUrl, undefined);
    assert.equal(s.segmentSasTtlMs, 3_600_000, 'segment SAS defaults to the playlist TTL');
    assert.deepEqual(s.viewerOrigins, []);
    assert.equal(s.exportMaxDurationMs, 3_600_000);
    assert.equal(s.exportMaxBytes, 2 * 1024 ** 3);
    assert.equal(s.ffmpegPath, undefined);
    assert.equal(s.pipelineStateWaitMs, 30_000);
    assert.equal(s.manifestGraceMs, 600_000);
  });

  it('manifest grace: ISO 8601 PT0S..PT6H', () => {
    assert.equal(parseSettings({ ...base, KEEPWATCH_MANIFEST_GRACE: 'PT0S' }).manifestGraceMs, 0);
    assert.equal(parseSettings({ ...base, KEEPWATCH_MANIFEST_GRACE: 'PT6H' }).manifestGraceMs, 6 * 3_600_000);
    fails({ ...base, KEEPWATCH_MANIFEST_GRACE: 'PT7H' }, 'KEEPWATCH_MANIFEST_GRACE', /outside PT0S\.\.PT6H/);
  });

  it('pipeline state wait: ISO 8601 PT0S..PT3M', () => {
    assert.equal(parseSettings({ ...base, KEEPWATCH_PIPELINE_STATE_WAIT: 'PT0S' }).pipelineStateWaitMs, 0);
    assert.equal(parseSettings({ ...base, KEEPWATCH_PIPELINE_STATE_WAIT: 'PT3M' }).pipelineStateWaitMs, 180_000);
    fails({ ...base, KEEPWATCH_PIPELINE_STATE_WAIT: 'PT4M' }, 'KEEPWATCH_PIPELINE_STATE_WAIT', /outside PT0S\.\.PT3M/);
    fails({ ...base, KEEPWATCH_PIPELINE_STATE_WAIT: '30' }, 'KEEPWATCH_PIPELINE_STATE_WAIT', /ISO 8601 duration/);
  });

  it('device upload SAS TTL: PT15M by default, PT2M..P1D', () => {
    assert.equal(parseSettings(base).deviceSasTtlMs, 900_000);
    assert.equal(parseSettings({ ...base, KEEPWATCH_DEVICE_SAS_TTL: 'PT5M' }).deviceSasTtlMs, 300_000);
    fails({ ...base, KEEPWATCH_DEVICE_SAS_TTL: 'PT1M' }, 'KEEPWATCH_DEVICE_SAS_TTL', /outside PT2M\.\.P1D/);
    fails({ ...base, KEEPWATCH_DEVICE_SAS_TTL: 'P2D' }, 'KEEPWATCH_DEVICE_SAS_TTL', /outside PT2M\.\.P1D/);
  });

  it('offline horizon: P31D by default, P1D..P3650D', () => {
    assert.equal(parseSettings(base).offlineHorizonMs, 31 * 86_400_000);
    assert.equal(parseSettings({ ...base, KEEPWATCH_OFFLINE_HORIZON: 'P90D' }).offlineHorizonMs, 90 * 86_400_000);
    fails({ ...base, KEEPWATCH_OFFLINE_HORIZON: 'PT1H' }, 'KEEPWATCH_OFFLINE_HORIZON', /outside P1D\.\.P3650D/);
    fails({ ...base, KEEPWATCH_OFFLINE_HORIZON: 'P3651D' }, 'KEEPWATCH_OFFLINE_HORIZON', /outside P1D\.\.P3650D/);
  });

  it('previous playback key: optional, at least 32 characters, never the current key', () => {
    assert.equal(parseSettings(base).playbackTokenPreviousSecret, undefined);
    assert.equal(parseSettings({ ...base, KEEPWATCH_PLAYBACK_TOKEN_SECRET_PREVIOUS: 'p'.repeat(32) }).playbackTokenPreviousSecret, 'p'.repeat(32));
    fails({ ...base, KEEPWATCH_PLAYBACK_TOKEN_SECRET_PREVIOUS: 'short' }, 'KEEPWATCH_PLAYBACK_TOKEN_SECRET_PREVIOUS', /at least 32/);
    fails({ ...base, KEEPWATCH_PLAYBACK_TOKEN_SECRET_PREVIOUS: base.KEEPWATCH_PLAYBACK_TOKEN_SECRET }, 'KEEPWATCH_PLAYBACK_TOKEN_SECRET_PREVIOUS', /equals KEEPWATCH_PLAYBACK_TOKEN_SECRET/);
  });

  it('segment SAS TTL follows the playlist TTL by default and may be longer, never shorter', () => {
    assert.equal(parseSettings({ ...base, KEEPWATCH_PLAYBACK_TTL: 'PT5M' }).segmentSasTtlMs, 300_000);
    assert.equal(parseSettings({ ...base, KEEPWATCH_PLAYBACK_TTL: 'PT5M', KEEPWATCH_SEGMENT_SAS_TTL: 'PT2H' }).segmentSasTtlMs, 7_200_000);
    assert.equal(parseSettings({ ...base, KEEPWATCH_SEGMENT_SAS_TTL: 'PT1H' }).segmentSasTtlMs, 3_600_000);
    fails({ ...base, KEEPWATCH_SEGMENT_SAS_TTL: 'PT30M' }, 'KEEPWATCH_SEGMENT_SAS_TTL', /shorter than KEEPWATCH_PLAYBACK_TTL PT1H/);
    fails({ ...base, KEEPWATCH_SEGMENT_SAS_TTL: 'P8D' }, 'KEEPWATCH_SEGMENT_SAS_TTL', /outside PT1M\.\.P7D/);
    fails({ ...base, KEEPWATCH_SEGMENT_SAS_TTL: 'soon' }, 'KEEPWATCH_SEGMENT_SAS_TTL', /ISO 8601 duration/);
  });

  it('live URL TTL: PT12H by default, PT1M..P1D', () => {
    assert.equal(parseSettings(base).liveTtlMs, 12 * 3_600_000);
    assert.equal(parseSettings({ ...base, KEEPWATCH_LIVE_TTL: 'PT30M' }).liveTtlMs, 1_800_000);
    fails({ ...base, KEEPWATCH_LIVE_TTL: 'P2D' }, 'KEEPWATCH_LIVE_TTL', /outside PT1M\.\.P1D/);
    fails({ ...base, KEEPWATCH_LIVE_TTL: 'PT30S' }, 'KEEPWATCH_LIVE_TTL', /outside PT1M\.\.P1D/);
  });

  it('viewer origins: comma-separated, trimmed, deduplicated; paths and other schemes refused', () => {
    const s = parseSettings({ ...base, KEEPWATCH_VIEWER_ORIGINS: ' https://viewer.example.com, http://localhost:5173,https://viewer.example.com/ ' });
    assert.deepEqual(s.viewerOrigins, ['https://viewer.example.com', 'http://localhost:5173']);
    fails({ ...base, KEEPWATCH_VIEWER_ORIGINS: 'https://x.example.com/app' }, 'KEEPWATCH_VIEWER_ORIGINS', /"https:\/\/x\.example\.com\/app" is not an origin/);
    fails({ ...base, KEEPWATCH_VIEWER_ORIGINS: 'ftp://x.example.com' }, 'KEEPWATCH_VIEWER_ORIGINS', /not an origin/);
    fails({ ...base, KEEPWATCH_VIEWER_ORIGINS: '*' }, 'KEEPWATCH_VIEWER_ORIGINS', /not an origin/);
  });

  it('export caps and ffmpeg path', () => {
    const s = parseSettings({ ...base, KEEPWATCH_EXPORT_MAX_DURATION: 'PT10M', KEEPWATCH_EXPORT_MAX_BYTES: '1048576', FFMPEG_PATH: '/opt/ffmpeg' });
    assert.equal(s.exportMaxDurationMs, 600_000);
    assert.equal(s.exportMaxBytes, 1_048_576);
    assert.equal(s.ffmpegPath, '/opt/ffmpeg');
    fails({ ...base, KEEPWATCH_EXPORT_MAX_DURATION: 'P2D' }, 'KEEPWATCH_EXPORT_MAX_DURATION', /outside PT1S\.\.P1D/);
    fails({ ...base, KEEPWATCH_EXPORT_MAX_BYTES: '2GiB' }, 'KEEPWATCH_EXPORT_MAX_BYTES', /positive whole number of bytes/);
    fails({ ...base, KEEPWATCH_EXPORT_MAX_BYTES: '0' }, 'KEEPWATCH_EXPORT_MAX_BYTES', /positive/);
  });

  it('reads every setting', () => {
    const s = parseSettings({
      ...base,
      KEEPWATCH_RECORDINGS_CONTAINER: 'site-a',
      KEEPWATCH_TABLE_PREFIX: 'test7',
      KEEPWATCH_PLAYBACK_TTL: 'PT5M',
      KEEPWATCH_PUBLIC_BASE_URL: 'https://cams.example.com/prefix/',
      KEEPWATCH_RETENTION_DEFAULT: 'P30D',
    });
    assert.equal(s.retentionDefault, 'P30D');
    assert.equal(s.recordingsContainer, 'site-a');
    assert.equal(s.tables.deadLetters, 'test7DeadLetters');
    assert.equal(s.playbackTtlMs, 300_000);
    assert.equal(s.publicBaseUrl, 'https://cams.example.com/prefix');
  });

  it('names a missing required setting', () => {
    fails({ ...base, KEEPWATCH_STORAGE_CONNECTION_STRING: undefined }, 'KEEPWATCH_STORAGE_CONNECTION_STRING', /required/);
    fails({ ...base, KEEPWATCH_PLAYBACK_TOKEN_SECRET: '  ' }, 'KEEPWATCH_PLAYBACK_TOKEN_SECRET', /required/);
  });

  it('refuses bad values with the rule, never echoing the secret', () => {
    fails({ ...base, KEEPWATCH_STORAGE_CONNECTION_STRING: 'hello' }, 'KEEPWATCH_STORAGE_CONNECTION_STRING', /not a storage connection string/);
    fails({ ...base, KEEPWATCH_PLAYBACK_TOKEN_SECRET: 'short-secret' }, 'KEEPWATCH_PLAYBACK_TOKEN_SECRET', /^(?!.*short-secret).*at least 32/);
    fails({ ...base, KEEPWATCH_RECORDINGS_CONTAINER: 'Bad_Name' }, 'KEEPWATCH_RECORDINGS_CONTAINER', /container name/);
    fails({ ...base, KEEPWATCH_TABLE_PREFIX: '1kw' }, 'KEEPWATCH_TABLE_PREFIX', /letters and digits/);
    fails({ ...base, KEEPWATCH_TABLE_PREFIX: 'k'.repeat(53) }, 'KEEPWATCH_TABLE_PREFIX', /1 to 52/);
    fails({ ...base, KEEPWATCH_PLAYBACK_TTL: 'PT30S' }, 'KEEPWATCH_PLAYBACK_TTL', /outside PT1M\.\.P1D/);
    fails({ ...base, KEEPWATCH_PLAYBACK_TTL: 'P2D' }, 'KEEPWATCH_PLAYBACK_TTL', /outside/);
    fails({ ...base, KEEPWATCH_PLAYBACK_TTL: 'an hour' }, 'KEEPWATCH_PLAYBACK_TTL', /ISO 8601 duration/);
    fails({ ...base, KEEPWATCH_PUBLIC_BASE_URL: 'ftp://x' }, 'KEEPWATCH_PUBLIC_BASE_URL', /http\(s\) URL/);
    fails({ ...base, KEEPWATCH_PUBLIC_BASE_URL: 'https://x/?a=1' }, 'KEEPWATCH_PUBLIC_BASE_URL', /query/);
    fails({ ...base, KEEPWATCH_RETENTION_DEFAULT: 'PT1H' }, 'KEEPWATCH_RETENTION_DEFAULT', /whole number of days from P1D to P3650D/);
    fails({ ...base, KEEPWATCH_RETENTION_DEFAULT: 'P3651D' }, 'KEEPWATCH_RETENTION_DEFAULT', /P3650D/);
    fails({ ...base, KEEPWATCH_RETENTION_DEFAULT: 'P0D' }, 'KEEPWATCH_RETENTION_DEFAULT', /P1D/);
  });

  it('retention schedule: default hourly at :05, a 6-field NCRONTAB, else a clear error', () => {
    assert.equal(retentionSchedule({}), '0 5 * * * *');
    assert.equal(retentionSchedule({ KEEPWATCH_RETENTION_SCHEDULE: ' 0 30 2 * * * ' }), '0 30 2 * * *');
    assert.throws(
      () => retentionSchedule({ KEEPWATCH_RETENTION_SCHEDULE: '5 * * * *' }),
      (e: unknown) => e instanceof ValidationError && e.code === 'InvalidSetting' && /KEEPWATCH_RETENTION_SCHEDULE .*6-field NCRONTAB/.test(e.message),
    );
  });

  it('caches per process until reset', () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, base, { KEEPWATCH_TABLE_PREFIX: 'first' });
      resetSettings();
      const a = settings();
      process.env.KEEPWATCH_TABLE_PREFIX = 'second';
      assert.equal(settings(), a);
      assert.equal(settings().tablePrefix, 'first');
      resetSettings();
      assert.equal(settings().tablePrefix, 'second');
    } finally {
      process.env = saved;
      resetSettings();
    }
  });
});

describe('functions settings: the device-commands broker', () => {
  it('reads KEEPWATCH_MQTT_URL, _USERNAME and _PASSWORD', () => {
    const s = parseSettings({ ...base, KEEPWATCH_MQTT_URL: 'mqtts://broker.example.com:8883', KEEPWATCH_MQTT_USERNAME: 'cloud-1', KEEPWATCH_MQTT_PASSWORD: 'pw' });
    assert.deepEqual(s.mqtt, { url: 'mqtts://broker.example.com:8883', username: 'cloud-1', password: 'pw' });
  });

  it('rejects a URL that is not mqtt(s) or carries credentials, without echoing it', () => {
    fails({ ...base, KEEPWATCH_MQTT_URL: 'http://broker' }, 'KEEPWATCH_MQTT_URL', /mqtt:\/\/ or mqtts:\/\//);
    fails({ ...base, KEEPWATCH_MQTT_URL: 'mqtt://u:secret@broker' }, 'KEEPWATCH_MQTT_URL', /no credentials/);
    assert.throws(() => parseSettings({ ...base, KEEPWATCH_MQTT_URL: 'mqtt://u:secret@broker' }), (e: Error) => !e.message.includes('secret'));
  });

  it('KEEPWATCH_MQTT__credential=managedidentity (+ __clientId): an Entra token of that identity instead of a password', () => {
    const clientId = '6f1c7a2e-0b7d-4c51-9d7e-2f4a1b3c5d6e';
    const url = 'mqtts://evgns-x.westeurope-1.ts.eventgrid.azure.net:8883';
    assert.deepEqual(parseSettings({ ...base, KEEPWATCH_MQTT_URL: url, KEEPWATCH_MQTT__credential: 'managedidentity', KEEPWATCH_MQTT__clientId: clientId }).mqtt, {
      url,
      username: 'keepwatch-cloud',
      managedIdentity: { clientId },
    });
    // Case as the host's own __credential settings; without a client id, the system-assigned identity.
    assert.deepEqual(parseSettings({ ...base, KEEPWATCH_MQTT_URL: url, KEEPWATCH_MQTT__credential: 'ManagedIdentity' }).mqtt.managedIdentity, {});
    fails({ ...base, KEEPWATCH_MQTT_URL: url, KEEPWATCH_MQTT__credential: 'clientsecret' }, 'KEEPWATCH_MQTT__credential', /use managedidentity/);
    fails({ ...base, KEEPWATCH_MQTT_URL: url, KEEPWATCH_MQTT__clientId: clientId }, 'KEEPWATCH_MQTT__clientId', /KEEPWATCH_MQTT__credential is not/);
    fails({ ...base, KEEPWATCH_MQTT_URL: url, KEEPWATCH_MQTT__credential: 'managedidentity', KEEPWATCH_MQTT__clientId: 'not-a-guid' }, 'KEEPWATCH_MQTT__clientId', /is not a client id/);
    fails({ ...base, KEEPWATCH_MQTT_URL: 'mqtt://broker:1883', KEEPWATCH_MQTT__credential: 'managedidentity' }, 'KEEPWATCH_MQTT_URL', /must be mqtts:\/\//);
    fails({ ...base, KEEPWATCH_MQTT_URL: url, KEEPWATCH_MQTT__credential: 'managedidentity', KEEPWATCH_MQTT_PASSWORD: 'pw-secret' }, 'KEEPWATCH_MQTT_PASSWORD', /mutually exclusive/);
    assert.throws(() => parseSettings({ ...base, KEEPWATCH_MQTT_URL: url, KEEPWATCH_MQTT__credential: 'managedidentity', KEEPWATCH_MQTT_PASSWORD: 'pw-secret' }), (e: Error) => !e.message.includes('pw-secret'));
  });
});

describe('parseStorageConnectionString', () => {
  it('reads explicit endpoints (Azurite)', () => {
    assert.deepEqual(parseStorageConnectionString(CS), {
      accountName: 'devstoreaccount1',
      accountKey: 'a2V5',
      blobEndpoint: 'http://127.0.0.1:1/devstoreaccount1',
      tableEndpoint: 'http://127.0.0.1:2/devstoreaccount1',
    });
  });

  it('derives endpoints from protocol and suffix, and knows UseDevelopmentStorage', () => {
    const c = parseStorageConnectionString('DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net');
    assert.equal(c.blobEndpoint, 'https://acct.blob.core.windows.net');
    assert.equal(c.tableEndpoint, 'https://acct.table.core.windows.net');
    const dev = parseStorageConnectionString('UseDevelopmentStorage=true');
    assert.equal(dev.blobEndpoint, 'http://127.0.0.1:10000/devstoreaccount1');
    assert.equal(dev.tableEndpoint, 'http://127.0.0.1:10002/devstoreaccount1');
    assert.ok(dev.accountKey);
  });

  it('names a missing account name without echoing the key', () => {
    assert.throws(
      () => parseStorageConnectionString('AccountKey=c2VjcmV0;BlobEndpoint=http://x'),
      (e: unknown) => e instanceof ValidationError && /AccountName/.test(e.message) && !e.message.includes('c2VjcmV0'),
    );
  });
});

describe('functions settings: storage by connection string or identity', () => {
  const secret = { KEEPWATCH_PLAYBACK_TOKEN_SECRET: 's'.repeat(32) };
  const CLIENT_ID = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
  const identity = {
    ...secret,
    KEEPWATCH_STORAGE__blobServiceUri: 'https://kwstore01.blob.core.windows.net/',
    KEEPWATCH_STORAGE__tableServiceUri: 'https://kwstore01.table.core.windows.net',
    KEEPWATCH_STORAGE__credential: 'managedidentity',
    KEEPWATCH_STORAGE__clientId: CLIENT_ID,
  };

  it('a connection string gives key-based storage', () => {
    assert.deepEqual(parseSettings(base).storage, { kind: 'connection-string', connectionString: CS });
  });

  it('the identity settings give identity-based storage; the account name comes from the blob URI', () => {
    assert.deepEqual(parseSettings(identity).storage, {
      kind: 'identity',
      blobServiceUri: 'https://kwstore01.blob.core.windows.net',
      tableServiceUri: 'https://kwstore01.table.core.windows.net',
      accountName: 'kwstore01',
      credential: 'managedidentity',
      clientId: CLIENT_ID,
    });
    // Path-style emulator URIs (Azurite over https) name the account in the path.
    const azurite = parseSettings({ ...secret, KEEPWATCH_STORAGE__blobServiceUri: 'https://127.0.0.1:10000/devstoreaccount1', KEEPWATCH_STORAGE__tableServiceUri: 'https://127.0.0.1:10002/devstoreaccount1' }).storage;
    assert.deepEqual(azurite, { kind: 'identity', blobServiceUri: 'https://127.0.0.1:10000/devstoreaccount1', tableServiceUri: 'https://127.0.0.1:10002/devstoreaccount1', accountName: 'devstoreaccount1', credential: 'default' });
  });

  it('without __credential: DefaultAzureCredential; __clientId needs __credential=managedidentity', () => {
    const { KEEPWATCH_STORAGE__credential: _c, KEEPWATCH_STORAGE__clientId: _i, ...uris } = identity;
    assert.equal((parseSettings(uris).storage as { credential: string }).credential, 'default');
    fails({ ...uris, KEEPWATCH_STORAGE__clientId: CLIENT_ID }, 'KEEPWATCH_STORAGE__clientId', /only applies with KEEPWATCH_STORAGE__credential=managedidentity/);
    fails({ ...identity, KEEPWATCH_STORAGE__clientId: 'my-identity' }, 'KEEPWATCH_STORAGE__clientId', /not a client id \(a GUID/);
    fails({ ...identity, KEEPWATCH_STORAGE__credential: 'clientsecret' }, 'KEEPWATCH_STORAGE__credential', /"clientsecret" is not supported: use managedidentity/);
    const noClient = parseSettings({ ...uris, KEEPWATCH_STORAGE__credential: 'managedidentity' }).storage;
    assert.ok(noClient.kind === 'identity' && noClient.credential === 'managedidentity' && !('clientId' in noClient), 'system-assigned identity');
  });

  it('both kinds → an error naming both, never echoing the connection string', () => {
    fails({ ...identity, KEEPWATCH_STORAGE_CONNECTION_STRING: CS }, 'KEEPWATCH_STORAGE_CONNECTION_STRING', /and KEEPWATCH_STORAGE__blobServiceUri, .*KEEPWATCH_STORAGE__clientId are both set: use either/);
    fails({ ...base, KEEPWATCH_STORAGE__credential: 'managedidentity' }, 'KEEPWATCH_STORAGE__credential', /both set/);
    assert.throws(() => parseSettings({ ...identity, KEEPWATCH_STORAGE_CONNECTION_STRING: CS }), (e: Error) => !e.message.includes('a2V5'));
  });

  it('neither kind → an error naming both ways', () => {
    fails(secret, 'KEEPWATCH_STORAGE_CONNECTION_STRING', /required but not set, nor are the identity-based KEEPWATCH_STORAGE__blobServiceUri and KEEPWATCH_STORAGE__tableServiceUri/);
    fails({ ...secret, KEEPWATCH_STORAGE_CONNECTION_STRING: ' ', KEEPWATCH_STORAGE__blobServiceUri: '' }, 'KEEPWATCH_STORAGE_CONNECTION_STRING', /required/);
  });

  it('partial identity settings → an error naming the missing one', () => {
    fails({ ...identity, KEEPWATCH_STORAGE__tableServiceUri: undefined }, 'KEEPWATCH_STORAGE__tableServiceUri', /is required with KEEPWATCH_STORAGE__blobServiceUri/);
    fails({ ...identity, KEEPWATCH_STORAGE__blobServiceUri: undefined }, 'KEEPWATCH_STORAGE__blobServiceUri', /is required with KEEPWATCH_STORAGE__tableServiceUri/);
    fails({ ...secret, KEEPWATCH_STORAGE__clientId: CLIENT_ID }, 'KEEPWATCH_STORAGE__blobServiceUri', /is required with KEEPWATCH_STORAGE__clientId/);
  });

  it('bad service URIs → an error with the rule', () => {
    fails({ ...identity, KEEPWATCH_STORAGE__blobServiceUri: 'http://kwstore01.blob.core.windows.net' }, 'KEEPWATCH_STORAGE__blobServiceUri', /not an https blob service URI/);
    fails({ ...identity, KEEPWATCH_STORAGE__blobServiceUri: 'https://kwstore01.blob.core.windows.net/?sv=x' }, 'KEEPWATCH_STORAGE__blobServiceUri', /query/);
    fails({ ...identity, KEEPWATCH_STORAGE__blobServiceUri: 'https://kwstore01.blob.core.windows.net/recordings' }, 'KEEPWATCH_STORAGE__blobServiceUri', /does not name a storage account/);
    fails({ ...identity, KEEPWATCH_STORAGE__blobServiceUri: 'https://KW_Store.blob.core.windows.net' }, 'KEEPWATCH_STORAGE__blobServiceUri', /3 to 24 lowercase letters and digits/);
    fails({ ...identity, KEEPWATCH_STORAGE__tableServiceUri: 'https://127.0.0.1:10002' }, 'KEEPWATCH_STORAGE__tableServiceUri', /does not name a storage account/);
    fails({ ...identity, KEEPWATCH_STORAGE__tableServiceUri: 'https://other01.table.core.windows.net' }, 'KEEPWATCH_STORAGE__tableServiceUri', /names account 'other01' but KEEPWATCH_STORAGE__blobServiceUri names 'kwstore01'/);
  });
});
