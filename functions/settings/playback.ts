import { z } from 'zod';
import { DAY_MS, MINUTE_MS } from '../../shared/time';
import { SETTINGS_DEFAULTS } from './defaults';
import { addProblem, durationMs, rawText, textOr } from './env';

export const PLAYBACK_TTL_MIN_MS = MINUTE_MS;
export const PLAYBACK_TTL_MAX_MS = DAY_MS;
export const PLAYBACK_TOKEN_SECRET_MIN_CHARS = 32;
/** A user-delegation key, hence its SAS, lives at most 7 days (Azure Storage docs, "Create a user delegation SAS"). */
export const SEGMENT_SAS_TTL_MAX_MS = 7 * DAY_MS;

/** The playback settings as {@link playbackSettingsSchema} gives them. */
export interface PlaybackSettings {
  playbackTokenSecret: string;
  playbackTokenPreviousSecret?: string;
  playbackTtlMs: number;
  segmentSasTtlMs: number;
  /** How long a live playlist URL stays valid, ms (`KEEPWATCH_LIVE_TTL`); it grants the live window, never the archive. */
  liveTtlMs: number;
}

/**
 * Playback URLs: `KEEPWATCH_PLAYBACK_TOKEN_SECRET` (required, ≥ 32 characters, as is), `KEEPWATCH_PLAYBACK_TOKEN_SECRET_PREVIOUS`
 * (optional, ≥ 32 characters, not the current one), `KEEPWATCH_PLAYBACK_TTL` (ISO 8601, default PT1H, PT1M..P1D) and
 * `KEEPWATCH_SEGMENT_SAS_TTL` (ISO 8601, PT1M..P7D and at least the playback TTL; default the playback TTL) and
 * `KEEPWATCH_LIVE_TTL` (ISO 8601, default PT12H, PT1M..P1D: a live session's length, docs/live.md). The two
 * keys are secrets: a message gives their length, never their value.
 */
export const playbackSettingsSchema = z
  .object({
    KEEPWATCH_PLAYBACK_TOKEN_SECRET: rawText,
    KEEPWATCH_PLAYBACK_TOKEN_SECRET_PREVIOUS: rawText,
    KEEPWATCH_PLAYBACK_TTL: textOr(SETTINGS_DEFAULTS.playbackTtl),
    KEEPWATCH_SEGMENT_SAS_TTL: rawText,
    KEEPWATCH_LIVE_TTL: textOr(SETTINGS_DEFAULTS.liveTtl),
  })
  .transform((s, ctx): PlaybackSettings => {
    const secret = s.KEEPWATCH_PLAYBACK_TOKEN_SECRET;
    const min = PLAYBACK_TOKEN_SECRET_MIN_CHARS;
    if (secret === undefined || secret.trim() === '') {
      addProblem(ctx, 'KEEPWATCH_PLAYBACK_TOKEN_SECRET', `required but not set (expected at least ${min} random characters)`);
    } else if (secret.length < min) {
      addProblem(ctx, 'KEEPWATCH_PLAYBACK_TOKEN_SECRET', `has ${secret.length} characters; expected at least ${min} random characters`);
    }
    const previous = s.KEEPWATCH_PLAYBACK_TOKEN_SECRET_PREVIOUS || undefined;
    if (previous !== undefined) {
      if (previous.length < min) {
        addProblem(ctx, 'KEEPWATCH_PLAYBACK_TOKEN_SECRET_PREVIOUS', `has ${previous.length} characters; expected the earlier KEEPWATCH_PLAYBACK_TOKEN_SECRET (at least ${min} characters)`);
      }
      if (previous === secret) {
        addProblem(ctx, 'KEEPWATCH_PLAYBACK_TOKEN_SECRET_PREVIOUS', 'equals KEEPWATCH_PLAYBACK_TOKEN_SECRET: set the new key as the current one and the old key as the previous one');
      }
    }
    const ttlText = s.KEEPWATCH_PLAYBACK_TTL;
    const playbackTtlMs = durationMs(ttlText, PLAYBACK_TTL_MIN_MS, PLAYBACK_TTL_MAX_MS, ctx, 'KEEPWATCH_PLAYBACK_TTL');
    // The playlist is fetched while its token is valid, so SAS URLs counted from that fetch outlive the token.
    const sasText = s.KEEPWATCH_SEGMENT_SAS_TTL;
    const segmentSasTtlMs = sasText ? durationMs(sasText, PLAYBACK_TTL_MIN_MS, SEGMENT_SAS_TTL_MAX_MS, ctx, 'KEEPWATCH_SEGMENT_SAS_TTL') : playbackTtlMs;
    if (segmentSasTtlMs < playbackTtlMs) {
      addProblem(ctx, 'KEEPWATCH_SEGMENT_SAS_TTL', `${sasText} is shorter than KEEPWATCH_PLAYBACK_TTL ${ttlText}: segment URLs must live at least as long as the playlist URL`, sasText);
    }
    const liveTtlMs = durationMs(s.KEEPWATCH_LIVE_TTL, PLAYBACK_TTL_MIN_MS, PLAYBACK_TTL_MAX_MS, ctx, 'KEEPWATCH_LIVE_TTL');
    return {
      playbackTokenSecret: secret ?? '',
      ...(previous === undefined ? {} : { playbackTokenPreviousSecret: previous }),
      playbackTtlMs,
      segmentSasTtlMs,
      liveTtlMs,
    };
  });
