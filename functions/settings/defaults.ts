import { RECORDING_POLICY_DEFAULTS } from '../../shared/schemas/recording-policy';

/** Defaults of the app settings, in one place (functions/settings.ts re-exports them). */
export const SETTINGS_DEFAULTS = {
  recordingsContainer: 'recordings',
  tablePrefix: 'kw',
  playbackTtl: 'PT1H',
  liveTtl: 'PT12H',
  deviceSasTtl: 'PT15M',
  offlineHorizon: 'P31D',
  exportMaxDuration: 'PT1H',
  exportMaxBytes: 2 * 1024 ** 3,
  retentionDefault: RECORDING_POLICY_DEFAULTS.archive,
  retentionMax: 'P3650D',
  retentionSchedule: '0 5 * * * *',
  mqttUsername: 'keepwatch-cloud',
  pipelineStateWait: 'PT30S',
  authClockSkew: 'PT60S',
  authJwksCooldown: 'PT30S',
  manifestGrace: 'PT10M',
} as const;
