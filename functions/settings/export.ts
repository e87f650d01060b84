import { z } from 'zod';
import { DAY_MS, SECOND_MS } from '../../shared/time';
import { SETTINGS_DEFAULTS } from './defaults';
import { durationSetting, rawText, trimmedText } from './env';

export const EXPORT_MAX_DURATION_MIN_MS = SECOND_MS;
export const EXPORT_MAX_DURATION_MAX_MS = DAY_MS;

/**
 * MP4 export: `KEEPWATCH_EXPORT_MAX_DURATION` (longest range, ISO 8601, default PT1H, PT1S..P1D, in ms),
 * `KEEPWATCH_EXPORT_MAX_BYTES` (most stored segment bytes one export reads, a positive whole number, default 2 GiB) and
 * `FFMPEG_PATH` (trimmed; unset = chosen as the agent chooses, functions/adapters/ffmpeg/ffmpeg-path.ts).
 */
export const exportSettingsSchema = z
  .object({
    KEEPWATCH_EXPORT_MAX_DURATION: durationSetting(SETTINGS_DEFAULTS.exportMaxDuration, EXPORT_MAX_DURATION_MIN_MS, EXPORT_MAX_DURATION_MAX_MS),
    KEEPWATCH_EXPORT_MAX_BYTES: rawText.refine((t) => !t || (/^\d{1,15}$/.test(t) && Number(t) >= 1), { message: 'expected a positive whole number of bytes, such as 2147483648' }),
    FFMPEG_PATH: trimmedText,
  })
  .transform((s) => ({
    exportMaxDurationMs: s.KEEPWATCH_EXPORT_MAX_DURATION,
    exportMaxBytes: s.KEEPWATCH_EXPORT_MAX_BYTES ? Number(s.KEEPWATCH_EXPORT_MAX_BYTES) : SETTINGS_DEFAULTS.exportMaxBytes,
    ffmpegPath: s.FFMPEG_PATH,
  }));
