import { z } from 'zod';
import { redact } from '../../shared/redact';
import { parseIsoDuration, toIsoDuration } from '../../shared/time';
import { problemsError, tryParse, type IssueLine } from '../../shared/validation/format-issues';

/** The environment the settings are read from: `process.env`, or a test's object. */
export type Env = Record<string, string | undefined>;

/**
 * App settings whose values are secrets: never echoed in a message, not even mistyped (docs/security.md "Secrets never
 * logged"). `KEEPWATCH_MQTT_URL` and the other URLs are shown with any userinfo masked ({@link shownUrl}).
 */
export const SECRET_SETTINGS: ReadonlySet<string> = new Set([
  'KEEPWATCH_STORAGE_CONNECTION_STRING',
  'KEEPWATCH_PLAYBACK_TOKEN_SECRET',
  'KEEPWATCH_PLAYBACK_TOKEN_SECRET_PREVIOUS',
  'KEEPWATCH_MQTT_PASSWORD',
  'KEEPWATCH_EVENTHUB',
  'KEEPWATCH_ADMIN_KEY',
]);

/** Whether the setting at `path` (a one-name path) is a secret. */
const isSecretSetting = (path: readonly PropertyKey[]) => path.some((p) => typeof p === 'string' && SECRET_SETTINGS.has(p));

/** What the errors call the settings document: `app settings: KEEPWATCH_PLAYBACK_TTL: PT30S is outside PT1M..P1D`. */
export const SETTINGS_DOCUMENT = 'app settings';

/** A setting's raw text, as `process.env` has it (`undefined` when unset). */
export const rawText = z.string().optional();

/** A setting's text trimmed; unset, empty or blank = `undefined`. */
export const trimmedText = rawText.transform((t) => t?.trim() || undefined);

/** A setting's text as is, `fallback` when unset or empty (not trimmed: ` PT1H` is not a duration). */
export const textOr = (fallback: string) => rawText.transform((t) => t || fallback);

/**
 * One problem of a setting, in the settings' voice, e.g. `"clientsecret" is not supported: use managedidentity`.
 * @param name the setting (the issue's path) when `ctx` is a group's; `undefined` when it is the setting's own
 * @param input the value as it may be shown (format-issues appends `(got …)` unless the message shows it); never a
 *   secret's
 */
export function addProblem(ctx: z.RefinementCtx, name: string | undefined, message: string, input?: unknown): void {
  ctx.addIssue({ code: 'custom', ...(name === undefined ? {} : { path: [name] }), message, ...(input === undefined ? {} : { input }) });
}

/** A URL as a message may show it: userinfo masked (`mqtt://***@broker`), at most 60 characters (format-issues). */
export const shownUrl = (text: string) => JSON.stringify(redact(text));

/**
 * An ISO 8601 duration in `minMs..maxMs`, as ms; the messages of the agent config's durations: `"soon" is not an ISO
 * 8601 duration such as PT10S, PT5M or P7D; allowed PT1M..P1D`, `PT30S is outside PT1M..P1D`.
 */
export function durationMs(text: string, minMs: number, maxMs: number, ctx: z.RefinementCtx, name: string | undefined): number {
  const allowed = `${toIsoDuration(minMs)}..${toIsoDuration(maxMs)}`;
  let ms: number;
  try {
    ms = parseIsoDuration(text, 'value');
  } catch (err) {
    addProblem(ctx, name, `${(err as Error).message.replace(/^value /, '')}; allowed ${allowed}`, text);
    return Number.NaN;
  }
  if (ms < minMs || ms > maxMs) {
    addProblem(ctx, name, `${text} is outside ${allowed}`, text);
    return Number.NaN;
  }
  return ms;
}

/** A duration setting: its text (`fallback` when unset or empty) in `minMs..maxMs`, as ms. */
export function durationSetting(fallback: string, minMs: number, maxMs: number) {
  return textOr(fallback).transform((text, ctx) => {
    const ms = durationMs(text, minMs, maxMs, ctx, undefined);
    return Number.isNaN(ms) ? z.NEVER : ms;
  });
}

/**
 * Parses `env` with each concern's schema and reports the problems of all of them at once, in the agent config's
 * voice (shared/validation/format-issues.ts): one problem `app settings: KEEPWATCH_PLAYBACK_TTL: PT30S is outside
 * PT1M..P1D`, several `app settings: 2 problems:` and one indented line each; secrets ({@link SECRET_SETTINGS}) never
 * shown. A line two concerns report alike (the broker, read for commands and for integration events) is said once.
 * @throws ValidationError `InvalidSetting` with `details` `[{ path: setting name, message }]`
 */
export function parseConcerns<T extends Record<string, z.ZodType>>(concerns: T, env: Env): { [K in keyof T]: z.output<T[K]> } {
  const out: Record<string, unknown> = {};
  const lines: IssueLine[] = [];
  for (const [key, schema] of Object.entries(concerns)) {
    const r = tryParse(schema, env, { isSecret: isSecretSetting });
    if (r.success) out[key] = r.data;
    else for (const l of r.lines) if (!lines.some((x) => x.line === l.line)) lines.push(l);
  }
  if (lines.length) throw problemsError(SETTINGS_DOCUMENT, lines, 'InvalidSetting');
  return out as { [K in keyof T]: z.output<T[K]> };
}
