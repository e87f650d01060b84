import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { CloudMqtt, ENTRA_MQTT_AUTH_METHOD, EVENT_GRID_TOKEN_SCOPE, TOKEN_RENEW_BEFORE_EXPIRY_MS } from '../../../../../functions/adapters/mqtt/cloud-mqtt';
import { TransientError } from '../../../../../shared/errors';
import { startMqtt5TestServer, type Mqtt5TestServer } from '../../../../helpers/mqtt5-test-server';

/**
 * A token source standing in for the managed identity (the only part not run for real: there is no Entra ID here).
 * Each call returns the next token, `jwt-1`, `jwt-2`, ..., valid `lifetimeMs` from the test clock.
 */
class SequenceCredential implements TokenCredential {
  readonly scopes: string[] = [];
  private n = 0;
  constructor(
    private readonly clock: () => number,
    private readonly lifetimeMs: number,
  ) {}
  async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    this.scopes.push(...(Array.isArray(scopes) ? scopes : [scopes]));
    return { token: `jwt-${++this.n}`, expiresOnTimestamp: this.clock() + this.lifetimeMs };
  }
}

const HOUR_MS = 3_600_000;
const message = (n: number) => [{ topic: `keepwatch/dev-1/commands/cam-${n}`, payload: `{"n":${n}}` }];

/**
 * In Azure the functions authenticate to Event Grid's MQTT broker with the managed identity's Microsoft
 * Entra token (MQTT 5 enhanced authentication `OAUTH2-JWT`), renewed by reconnecting before it expires. Checked on
 * the wire by a small MQTT 5 server (test/helpers/mqtt5-test-server.ts, MQTT.js's packet parser).
 */
describe('CloudMqtt with a Microsoft Entra token (OAUTH2-JWT, MQTT 5)', () => {
  let server: Mqtt5TestServer;
  let mqtt: CloudMqtt | undefined;
  let nowMs = Date.UTC(2026, 10, 22, 0, 0, 0);
  const clock = () => nowMs;

  before(async () => {
    // Accepts only the tokens this test hands out, as Event Grid accepts only valid Entra tokens.
    server = await startMqtt5TestServer({ connack: (c) => (c.authenticationMethod === ENTRA_MQTT_AUTH_METHOD && /^jwt-\d+$/.test(c.authenticationData ?? '') ? 0 : 135) });
  });
  afterEach(async () => {
    await mqtt?.close();
    server.connects.length = 0;
    server.publishes.length = 0;
  });
  after(async () => {
    await server?.close();
  });

  it('CONNECT is MQTT 5 with authenticationMethod OAUTH2-JWT and the token for https://eventgrid.azure.net/.default as authenticationData, no password', async () => {
    const credential = new SequenceCredential(clock, HOUR_MS);
    mqtt = new CloudMqtt({ url: server.url, username: 'keepwatch-cloud', password: 'must-not-be-sent', credential, now: clock });
    await mqtt.publish(message(1), 'commands');
    assert.equal(EVENT_GRID_TOKEN_SCOPE, 'https://eventgrid.azure.net/.default');
    assert.deepEqual(credential.scopes, [EVENT_GRID_TOKEN_SCOPE]);
    assert.equal(server.connects.length, 1);
    const [c] = server.connects;
    assert.equal(c.protocolVersion, 5);
    assert.equal(c.authenticationMethod, 'OAUTH2-JWT');
    assert.equal(c.authenticationData, 'jwt-1');
    assert.equal(c.password, undefined);
    assert.match(c.clientId, /^keepwatch-cloud-[0-9a-f]{8}$/);
    assert.deepEqual(server.publishes, [{ topic: 'keepwatch/dev-1/commands/cam-1', payload: '{"n":1}', connection: 0 }]);
  });

  it('keeps the connection while the token is fresh, and reconnects with a new token once it nears expiry', async () => {
    const credential = new SequenceCredential(clock, HOUR_MS);
    mqtt = new CloudMqtt({ url: server.url, username: 'keepwatch-cloud', credential, now: clock });
    await mqtt.publish(message(1), 'commands');
    nowMs += HOUR_MS - TOKEN_RENEW_BEFORE_EXPIRY_MS - 1; // 1 ms before the renewal point
    await mqtt.publish(message(2), 'commands');
    assert.deepEqual(server.connects.map((c) => c.authenticationData), ['jwt-1'], 'one connection while the token is fresh');
    nowMs += 1; // the token now expires within the renewal margin
    await mqtt.publish(message(3), 'commands');
    assert.deepEqual(server.connects.map((c) => c.authenticationData), ['jwt-1', 'jwt-2']);
    assert.deepEqual(server.publishes.map((p) => [p.topic, p.connection]), [
      ['keepwatch/dev-1/commands/cam-1', 0],
      ['keepwatch/dev-1/commands/cam-2', 0],
      ['keepwatch/dev-1/commands/cam-3', 1],
    ]);
    assert.equal(server.openConnections(), 1, 'the old connection was closed');
  });

  it('after the broker drops the connection (token expired), the next publish connects again with a fresh token', async () => {
    const credential = new SequenceCredential(clock, HOUR_MS);
    mqtt = new CloudMqtt({ url: server.url, username: 'keepwatch-cloud', credential, now: clock });
    await mqtt.publish(message(1), 'commands');
    await server.disconnectAll();
    await mqtt.publish(message(2), 'commands');
    assert.deepEqual(server.connects.map((c) => c.authenticationData), ['jwt-1', 'jwt-2']);
    assert.deepEqual(server.publishes.map((p) => p.connection), [0, 1]);
  });

  it('a refused token is a TransientError with no fallback to MQTT 3.1.1, and the token is not in the message', async () => {
    const refusing: TokenCredential = { getToken: async () => ({ token: 'forged-token-value', expiresOnTimestamp: nowMs + HOUR_MS }) };
    mqtt = new CloudMqtt({ url: server.url, username: 'keepwatch-cloud', credential: refusing, now: clock, timeoutMs: 3000 });
    await assert.rejects(mqtt.publish(message(1), 'commands'), (e: unknown) => e instanceof TransientError && !e.message.includes('forged-token-value'));
    assert.deepEqual(server.connects.map((c) => [c.protocolVersion, c.authenticationData]), [[5, 'forged-token-value']]);
    assert.deepEqual(server.publishes, []);
  });

  it('a credential that fails (no identity endpoint) is a TransientError naming the scope, and nothing connects', async () => {
    const failing: TokenCredential = {
      getToken: async () => {
        throw new Error('ManagedIdentityCredential: no managed identity endpoint found');
      },
    };
    mqtt = new CloudMqtt({ url: server.url, username: 'keepwatch-cloud', credential: failing, now: clock });
    await assert.rejects(mqtt.publish(message(1), 'commands'), (e: unknown) => e instanceof TransientError && e.message.includes(EVENT_GRID_TOKEN_SCOPE) && /no managed identity endpoint/.test(e.message));
    assert.equal(server.connects.length, 0);
  });
});
