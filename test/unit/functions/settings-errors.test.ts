import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../shared/errors';
import { parseIntegrationEventsSettings, parseSettings, retentionSchedule } from '../../../functions/settings';

const base = { KEEPWATCH_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', KEEPWATCH_PLAYBACK_TOKEN_SECRET: 's'.repeat(32) };

/** The ValidationError `fn` throws. */
function errorOf(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ValidationError, String(err));
    assert.equal(err.code, 'InvalidSetting');
    return err;
  }
  assert.fail('expected a ValidationError');
}

describe('functions settings: errors in the agent config voice', () => {
  it('one bad setting: "app settings: NAME: value and what is expected" on one line', () => {
    const e = errorOf(() => parseSettings({ ...base, KEEPWATCH_PLAYBACK_TTL: 'PT30S' }));
    assert.equal(e.message, 'app settings: KEEPWATCH_PLAYBACK_TTL: PT30S is outside PT1M..P1D');
    assert.deepEqual(e.details, [{ path: 'KEEPWATCH_PLAYBACK_TTL', message: 'PT30S is outside PT1M..P1D' }]);
  });

  it('several bad settings, in several concerns: one error listing every one, one line each', () => {
    const e = errorOf(() =>
      parseSettings({
        ...base,
        KEEPWATCH_RECORDINGS_CONTAINER: 'Bad_Name',
        KEEPWATCH_DEVICE_SAS_TTL: 'PT1M',
        KEEPWATCH_EXPORT_MAX_BYTES: '2GiB',
        KEEPWATCH_VIEWER_ORIGINS: 'https://viewer.example.com/app',
        KEEPWATCH_RETENTION_DEFAULT: 'PT1H',
        KEEPWATCH_PIPELINE_STATE_WAIT: '30',
      }),
    );
    const lines = e.message.split('\n');
    assert.equal(lines[0], 'app settings: 6 problems:');
    assert.deepEqual(lines.slice(1), [
      `  KEEPWATCH_RECORDINGS_CONTAINER: expected a container name: 3 to 63 characters from a-z, 0-9 and single '-', starting and ending with a letter or digit (got "Bad_Name")`,
      '  KEEPWATCH_DEVICE_SAS_TTL: PT1M is outside PT2M..P1D',
      '  KEEPWATCH_VIEWER_ORIGINS: entry "https://viewer.example.com/app" is not an origin such as https://viewer.example.com (scheme, host and optional port; no path)',
      '  KEEPWATCH_EXPORT_MAX_BYTES: expected a positive whole number of bytes, such as 2147483648 (got "2GiB")',
      '  KEEPWATCH_RETENTION_DEFAULT: "PT1H" is not a whole number of days from P1D to P3650D (ISO 8601, e.g. P7D)',
      '  KEEPWATCH_PIPELINE_STATE_WAIT: "30" is not an ISO 8601 duration such as PT10S, PT5M or P7D; allowed PT0S..PT3M',
    ]);
    assert.deepEqual(
      (e.details as { path: string }[]).map((d) => d.path),
      ['KEEPWATCH_RECORDINGS_CONTAINER', 'KEEPWATCH_DEVICE_SAS_TTL', 'KEEPWATCH_VIEWER_ORIGINS', 'KEEPWATCH_EXPORT_MAX_BYTES', 'KEEPWATCH_RETENTION_DEFAULT', 'KEEPWATCH_PIPELINE_STATE_WAIT'],
    );
  });

  it('a setting checked against another is checked once both are well-formed', () => {
    const e = errorOf(() => parseSettings({ ...base, KEEPWATCH_PLAYBACK_TTL: 'PT2H', KEEPWATCH_SEGMENT_SAS_TTL: 'PT1H', KEEPWATCH_RETENTION_MAX: 'P3D' }));
    assert.match(e.message, /^app settings: 2 problems:\n/);
    assert.match(e.message, /\n {2}KEEPWATCH_SEGMENT_SAS_TTL: PT1H is shorter than KEEPWATCH_PLAYBACK_TTL PT2H: segment URLs must live at least as long as the playlist URL/);
    assert.match(e.message, /\n {2}KEEPWATCH_RETENTION_DEFAULT: P7D is longer than KEEPWATCH_RETENTION_MAX P3D/);
  });

  it('the broker, read for commands and for integration events, is reported once', () => {
    const e = errorOf(() => parseSettings({ ...base, KEEPWATCH_MQTT_URL: 'http://broker:1883' }));
    assert.equal(e.message, 'app settings: KEEPWATCH_MQTT_URL: "http://broker:1883" is not an mqtt:// or mqtts:// URL with a host and no credentials (put them in KEEPWATCH_MQTT_USERNAME and KEEPWATCH_MQTT_PASSWORD)');
  });

  it('secrets are never echoed: connection strings, keys, passwords; URLs with their userinfo masked', () => {
    const secrets = ['AccountKey=c3RvcmFnZS1rZXk=', 'short-playback-key', 'previous-short-key', 'mqtt-password-1', 'url-password-2', 'SharedAccessKey=aHViLWtleQ=='];
    const e = errorOf(() =>
      parseSettings({
        KEEPWATCH_STORAGE_CONNECTION_STRING: secrets[0],
        KEEPWATCH_PLAYBACK_TOKEN_SECRET: secrets[1],
        KEEPWATCH_PLAYBACK_TOKEN_SECRET_PREVIOUS: secrets[2],
        KEEPWATCH_MQTT_PASSWORD: secrets[3],
        KEEPWATCH_MQTT__credential: 'managedidentity',
        KEEPWATCH_MQTT_URL: `mqtt://cloud:${secrets[4]}@broker:1883`,
        KEEPWATCH_PUBLIC_BASE_URL: `https://admin:${secrets[4]}@cams.example.com/`,
        KEEPWATCH_INTEGRATION_EVENTS_HUB: 'kw-integration',
        KEEPWATCH_EVENTHUB: secrets[5],
      }),
    );
    for (const s of secrets) assert.ok(!e.message.includes(s) && !JSON.stringify(e.details).includes(s), `${s} echoed:\n${e.message}`);
    assert.match(e.message, /KEEPWATCH_STORAGE_CONNECTION_STRING: the value \(not shown: a secret\) is not a storage connection string/);
    assert.match(e.message, /KEEPWATCH_PLAYBACK_TOKEN_SECRET: has 18 characters; expected at least 32 random characters/);
    assert.match(e.message, /KEEPWATCH_PLAYBACK_TOKEN_SECRET_PREVIOUS: has 18 characters; expected the earlier KEEPWATCH_PLAYBACK_TOKEN_SECRET/);
    assert.match(e.message, /KEEPWATCH_MQTT_PASSWORD: set together with KEEPWATCH_MQTT__credential=managedidentity/);
    assert.match(e.message, /KEEPWATCH_MQTT_URL: "mqtt:\/\/\*\*\*@broker:1883" is not an mqtt:\/\/ or mqtts:\/\/ URL/);
    assert.match(e.message, /KEEPWATCH_PUBLIC_BASE_URL: "https:\/\/\*\*\*@cams\.example\.com\/" is not an http\(s\) URL without credentials/);
    assert.match(e.message, /KEEPWATCH_EVENTHUB: the value \(not shown: a secret\) is not an Event Hubs connection string/);
  });

  it('a value outside the accepted ones is named with the accepted ones', () => {
    const e = errorOf(() => parseSettings({ ...base, KEEPWATCH_MQTT_URL: 'mqtts://broker:8883', KEEPWATCH_MQTT__credential: 'workloadidentity' }));
    assert.equal(e.message, 'app settings: KEEPWATCH_MQTT__credential: "workloadidentity" is not supported: use managedidentity, or leave it unset for KEEPWATCH_MQTT_PASSWORD');
    const hub = errorOf(() => parseIntegrationEventsSettings({ KEEPWATCH_INTEGRATION_EVENTS_HUB: 'h', KEEPWATCH_EVENTHUB__fullyQualifiedNamespace: 'ns.servicebus.windows.net', KEEPWATCH_EVENTHUB__credential: 'azurecli' }));
    assert.equal(hub.message, 'app settings: KEEPWATCH_EVENTHUB__credential: "azurecli" is not supported: use managedidentity, or leave it unset for DefaultAzureCredential');
  });

  it('the retention schedule, read on its own, speaks the same voice', () => {
    const e = errorOf(() => retentionSchedule({ KEEPWATCH_RETENTION_SCHEDULE: '5 * * * *' }));
    assert.equal(e.message, 'app settings: KEEPWATCH_RETENTION_SCHEDULE: "5 * * * *" has 5 fields, but KEEPWATCH_RETENTION_SCHEDULE is a 6-field NCRONTAB expression ({second} {minute} {hour} {day} {month} {day-of-week}, UTC)');
  });
});
