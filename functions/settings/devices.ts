import { z } from 'zod';
import { DAY_MS, MINUTE_MS } from '../../shared/time';
import { SETTINGS_DEFAULTS } from './defaults';
import { durationSetting } from './env';

/** Bounds of KEEPWATCH_DEVICE_SAS_TTL: above the agent's 1 min refresh margin, at most a day. */
export const DEVICE_SAS_TTL_MIN_MS = 2 * MINUTE_MS;
export const DEVICE_SAS_TTL_MAX_MS = DAY_MS;
/** Bounds of KEEPWATCH_OFFLINE_HORIZON: a day, up to the longest retention (nothing older than that is kept anyway). */
export const OFFLINE_HORIZON_MIN_MS = DAY_MS;
export const OFFLINE_HORIZON_MAX_MS = 3650 * DAY_MS;

/**
 * What devices are handed and may deliver: `KEEPWATCH_DEVICE_SAS_TTL` (lifetime of the create-only upload URLs, ISO
 * 8601, default PT15M, PT2M..P1D) and `KEEPWATCH_OFFLINE_HORIZON` (how old a segment start or device event time may be
 * and still be accepted, ISO 8601, default P31D, P1D..P3650D; shared/device-time-window.ts), both in ms.
 */
export const deviceSettingsSchema = z
  .object({
    KEEPWATCH_DEVICE_SAS_TTL: durationSetting(SETTINGS_DEFAULTS.deviceSasTtl, DEVICE_SAS_TTL_MIN_MS, DEVICE_SAS_TTL_MAX_MS),
    KEEPWATCH_OFFLINE_HORIZON: durationSetting(SETTINGS_DEFAULTS.offlineHorizon, OFFLINE_HORIZON_MIN_MS, OFFLINE_HORIZON_MAX_MS),
  })
  .transform((s) => ({ deviceSasTtlMs: s.KEEPWATCH_DEVICE_SAS_TTL, offlineHorizonMs: s.KEEPWATCH_OFFLINE_HORIZON }));
