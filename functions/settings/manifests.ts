import { z } from 'zod';
import { HOUR_MS } from '../../shared/time';
import { SETTINGS_DEFAULTS } from './defaults';
import { durationSetting } from './env';

/** Longest `KEEPWATCH_MANIFEST_GRACE`. */
export const MANIFEST_GRACE_MAX_MS = 6 * HOUR_MS;

/**
 * Asset manifests: `KEEPWATCH_MANIFEST_GRACE` (ISO 8601, default PT10M, PT0S..PT6H, in ms): how long after an archive
 * hour ends the manifest writer waits before it writes the hour's manifest, so that the hour's last segments (recorded
 * up to a segment length before the hour ends, then uploaded and indexed) are in it. A segment indexed later re-opens
 * the hour (docs/contracts.md "Asset manifests").
 */
export const manifestSettingsSchema = z
  .object({ KEEPWATCH_MANIFEST_GRACE: durationSetting(SETTINGS_DEFAULTS.manifestGrace, 0, MANIFEST_GRACE_MAX_MS) })
  .transform((s) => ({ manifestGraceMs: s.KEEPWATCH_MANIFEST_GRACE }));
