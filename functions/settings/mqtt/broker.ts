import { z } from 'zod';
import { redact } from '../../../shared/redact';
import { SETTINGS_DEFAULTS } from '../defaults';
import { readEntraIdentity } from '../entra-identity';
import { addProblem, rawText, shownUrl, trimmedText } from '../env';

/**
 * The cloud's MQTT connection: broker URL, user name, and either a password (local brokers) or a managed identity
 * whose Entra token authenticates it (Event Grid, `KEEPWATCH_MQTT__credential=managedidentity`).
 */
export interface MqttSettings {
  /** `mqtt://` or `mqtts://` URL; undefined = no broker. */
  url?: string;
  username: string;
  /** Secret: never logged. Never set together with `managedIdentity`. */
  password?: string;
  /** Present = Entra JWT (`OAUTH2-JWT`) from this managed identity; `clientId` undefined = the system-assigned one. */
  managedIdentity?: { clientId?: string };
}

/** Default MQTT user name of the cloud side (KEEPWATCH_MQTT_USERNAME). */
export const MQTT_USERNAME_DEFAULT = SETTINGS_DEFAULTS.mqttUsername;

/**
 * `KEEPWATCH_MQTT_URL` (trimmed; `mqtt://` or `mqtts://` with a host, no credentials in it; unset = no broker),
 * `KEEPWATCH_MQTT_USERNAME` (trimmed, default {@link MQTT_USERNAME_DEFAULT}), `KEEPWATCH_MQTT_PASSWORD` (secret, as is),
 * `KEEPWATCH_MQTT__credential` / `__clientId` (an Entra token of a managed identity instead of the password; needs
 * `mqtts://`): the broker the EVR policy sends device commands to, and how the functions authenticate there.
 * Unset `__credential` = the password (the local broker), not DefaultAzureCredential: a `__clientId` alone is a
 * mistake, not an identity.
 */
export const mqttSettingsSchema = z.object(mqttShape()).transform((s, ctx) => readMqtt(s, ctx));

/** The broker's settings as read (URL, user name and identity parts trimmed), for schemas that read them too. */
export function mqttShape() {
  return {
    KEEPWATCH_MQTT_URL: trimmedText,
    KEEPWATCH_MQTT_USERNAME: trimmedText,
    KEEPWATCH_MQTT_PASSWORD: rawText,
    KEEPWATCH_MQTT__credential: trimmedText,
    KEEPWATCH_MQTT__clientId: trimmedText,
  };
}

/** The broker settings from their texts ({@link mqttShape}); problems go to `ctx` ({@link mqttSettingsSchema}). */
export function readMqtt(s: z.output<z.ZodObject<ReturnType<typeof mqttShape>>>, ctx: z.RefinementCtx): MqttSettings {
  const text = s.KEEPWATCH_MQTT_URL;
  const username = s.KEEPWATCH_MQTT_USERNAME ?? SETTINGS_DEFAULTS.mqttUsername;
  const password = s.KEEPWATCH_MQTT_PASSWORD || undefined;
  const credential = s.KEEPWATCH_MQTT__credential;
  let clientId: string | undefined;
  if (credential === undefined) {
    if (s.KEEPWATCH_MQTT__clientId) addProblem(ctx, 'KEEPWATCH_MQTT__clientId', 'is set but KEEPWATCH_MQTT__credential is not: set KEEPWATCH_MQTT__credential=managedidentity', s.KEEPWATCH_MQTT__clientId);
  } else {
    clientId = readEntraIdentity('KEEPWATCH_MQTT', credential, s.KEEPWATCH_MQTT__clientId, ctx, 'KEEPWATCH_MQTT_PASSWORD').clientId;
    if (password !== undefined) {
      addProblem(ctx, 'KEEPWATCH_MQTT_PASSWORD', 'set together with KEEPWATCH_MQTT__credential=managedidentity: the two are mutually exclusive, the broker takes one authentication method');
    }
  }
  const auth = credential !== undefined ? { managedIdentity: clientId !== undefined ? { clientId } : {} } : { password };
  if (text === undefined) return { username, ...auth };
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || !/^mqtts?:$/.test(url.protocol) || !url.hostname || url.username || url.password) {
    addProblem(ctx, 'KEEPWATCH_MQTT_URL', `${shownUrl(text)} is not an mqtt:// or mqtts:// URL with a host and no credentials (put them in KEEPWATCH_MQTT_USERNAME and KEEPWATCH_MQTT_PASSWORD)`, redact(text));
  } else if (credential !== undefined && url.protocol !== 'mqtts:') {
    // A bearer token sent in clear text could be replayed by anyone on the path until it expires.
    addProblem(ctx, 'KEEPWATCH_MQTT_URL', `${shownUrl(text)} must be mqtts:// when KEEPWATCH_MQTT__credential=managedidentity (the Entra token must not travel in clear text)`, redact(text));
  }
  return { url: text, username, ...auth };
}
