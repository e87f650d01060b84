import { randomBytes } from 'node:crypto';
import type { TokenCredential } from '@azure/identity';
import mqtt, { type MqttClient } from 'mqtt';
import { TransientError } from '../../../shared/errors';

/** How long one publish call waits for the broker (connect and every PUBACK), ms. */
export const MQTT_PUBLISH_TIMEOUT_MS = 10_000;

/**
 * MQTT 5 enhanced-authentication method of a Microsoft Entra token on Event Grid's MQTT broker, and the token's
 * scope. Source: learn.microsoft.com/azure/event-grid/mqtt-client-microsoft-entra-token-and-rbac (CONNECT
 * `Authentication Method` = `OAUTH2-JWT`, `Authentication Data` = the JWT; MQTT 5 only; managed identities and
 * service principals only).
 */
export const ENTRA_MQTT_AUTH_METHOD = 'OAUTH2-JWT';
export const EVENT_GRID_TOKEN_SCOPE = 'https://eventgrid.azure.net/.default';

/**
 * A connection whose token expires sooner than this is replaced before the next publish, ms (5 min). Event Grid
 * closes a connection whose token has expired; renewing ahead keeps a publish from racing that close. Managed
 * identity tokens live hours, so this costs one reconnect per token lifetime.
 */
export const TOKEN_RENEW_BEFORE_EXPIRY_MS = 5 * 60_000;

/** Options of {@link CloudMqtt}; from the settings `KEEPWATCH_MQTT_URL`, `_USERNAME`, `_PASSWORD`, `__credential`. */
export interface CloudMqttOptions {
  /** `mqtt://host:port` or `mqtts://host:port` */
  url: string;
  username: string;
  /** Secret: never logged. Ignored when `credential` is given. */
  password?: string;
  /**
   * Entra token source (functions/deps.ts: `ManagedIdentityCredential` of `KEEPWATCH_MQTT__clientId`): each CONNECT
   * carries a token for {@link EVENT_GRID_TOKEN_SCOPE} as MQTT 5 `authenticationData`, method
   * {@link ENTRA_MQTT_AUTH_METHOD}. MQTT 5 only: no fallback to 3.1.1. Tokens are never logged.
   */
  credential?: TokenCredential;
  /** Wait for the broker per publish call, ms; default {@link MQTT_PUBLISH_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Clock for token expiry, epoch ms; default `Date.now`. */
  now?: () => number;
}

/** One message to publish at QoS 1. */
export interface CloudMqttMessage {
  topic: string;
  payload: string;
  /** MQTT 5 content type (left out on MQTT 3.1.1). */
  contentType?: string;
}

/**
 * The functions' one MQTT connection to the cloud's broker (device commands, and locally the integration events):
 * connects on the first publish (lazy), MQTT 5 first and 3.1.1 when the broker refuses 5 (the local stack's aedes);
 * publishes QoS 1 one message after another and waits for each PUBACK, so one topic's messages keep their order. No
 * reconnect timer in the background: after a lost connection the next publish connects again, so a host whose broker
 * went away can still exit, and a broker that cannot be reached, or does not acknowledge within the timeout, makes the
 * publish throw TransientError (the caller's retry or outbox sends it again).
 *
 * With a `credential` (Event Grid in Azure) each CONNECT carries a fresh Entra token (MQTT 5 `OAUTH2-JWT`). Token
 * renewal is by reconnect, not MQTT 5 re-AUTH (AUTH packet, reason 0x19, which Event Grid also accepts): MQTT.js 5
 * has no client-initiated re-authentication, and a lazy connection without a background timer has nothing to run it.
 * Before a publish, a connection whose token expires within {@link TOKEN_RENEW_BEFORE_EXPIRY_MS} is closed and a new
 * one made with a new token; a connection the broker closed at expiry is remade on the next publish the same way.
 */
export class CloudMqtt {
  private client: MqttClient | undefined;
  private connecting: Promise<MqttClient> | undefined;
  private version: 4 | 5 = 5;
  /** Expiry of the token the current connection authenticated with, epoch ms; undefined without a credential. */
  private tokenExpiresOnMs: number | undefined;

  constructor(private readonly o: CloudMqttOptions) {}

  /** The protocol of the current (or next) connection: 5, or 4 after the broker refused 5. */
  get protocolVersion(): 4 | 5 {
    return this.version;
  }

  /**
   * Publishes the messages in order, QoS 1.
   * @param what names them in errors, e.g. `integration events`
   * @throws TransientError when the broker is unreachable or does not acknowledge within the timeout
   */
  async publish(messages: readonly CloudMqttMessage[], what: string): Promise<void> {
    if (!messages.length) return;
    const timeoutMs = this.o.timeoutMs ?? MQTT_PUBLISH_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TransientError(`MQTT broker ${this.redactedUrl()} did not acknowledge ${what} within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([
        (async () => {
          const client = await this.connect();
          for (const m of messages) {
            const properties = this.version === 5 && m.contentType ? { properties: { contentType: m.contentType, payloadFormatIndicator: true } } : {};
            await client.publishAsync(m.topic, m.payload, { qos: 1, ...properties });
          }
        })(),
        timeout,
      ]);
    } catch (err) {
      await this.close();
      if (err instanceof TransientError) throw err;
      throw new TransientError(`publishing ${what} on ${this.redactedUrl()} failed: ${(err as Error)?.message ?? String(err)}`, err);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Disconnects (process shutdown, tests), dropping what is not yet acknowledged; a later publish connects again. */
  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.tokenExpiresOnMs = undefined;
    if (client) await client.endAsync(true).catch(() => {});
  }

  private async connect(): Promise<MqttClient> {
    const now = (this.o.now ?? Date.now)();
    const tokenStale = this.tokenExpiresOnMs !== undefined && this.tokenExpiresOnMs - now <= TOKEN_RENEW_BEFORE_EXPIRY_MS;
    if (this.client?.connected && !tokenStale) return this.client;
    if (this.client) await this.close();
    this.connecting ??= (async () => {
      try {
        try {
          return await this.connectOnce();
        } catch (err) {
          const code = (err as { code?: unknown }).code;
          // An Entra token only works on MQTT 5: falling back would just send the same CONNECT without it.
          if (this.version !== 5 || this.o.credential || (code !== 1 && code !== 132)) throw err;
          this.version = 4; // CONNACK 1 (3.1.1 "unacceptable protocol version") or reason 132 (MQTT 5)
          return await this.connectOnce();
        }
      } finally {
        this.connecting = undefined;
      }
    })();
    return this.connecting;
  }

  private async connectOnce(): Promise<MqttClient> {
    const auth = await this.authentication();
    const client = await mqtt.connectAsync(this.o.url, {
      protocolVersion: this.version,
      clientId: `${this.o.username}-${randomBytes(4).toString('hex')}`,
      username: this.o.username,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: this.o.timeoutMs ?? MQTT_PUBLISH_TIMEOUT_MS,
      ...auth.options,
    });
    client.on('error', () => {}); // surfaced by the next publish; an unhandled 'error' would crash the host
    this.client = client;
    this.tokenExpiresOnMs = auth.expiresOnMs;
    return client;
  }

  /** CONNECT fields that authenticate: the password, or an Entra token as MQTT 5 enhanced authentication. */
  private async authentication(): Promise<{ options: mqtt.IClientOptions; expiresOnMs?: number }> {
    if (!this.o.credential) return { options: { password: this.o.password } };
    let token: Awaited<ReturnType<TokenCredential['getToken']>>;
    try {
      token = await this.o.credential.getToken(EVENT_GRID_TOKEN_SCOPE);
    } catch (err) {
      // The identity SDK's message names the identity and endpoint, never the token.
      throw new TransientError(`getting a Microsoft Entra token for ${EVENT_GRID_TOKEN_SCOPE} failed: ${(err as Error)?.message ?? String(err)}`, err);
    }
    if (!token?.token) throw new TransientError(`the managed identity returned no token for ${EVENT_GRID_TOKEN_SCOPE}`);
    return {
      options: { properties: { authenticationMethod: ENTRA_MQTT_AUTH_METHOD, authenticationData: Buffer.from(token.token, 'utf8') } },
      expiresOnMs: token.expiresOnTimestamp,
    };
  }

  private redactedUrl(): string {
    const u = new URL(this.o.url);
    return `${u.protocol}//${u.host}`;
  }
}
