import type { InvocationContext, Timer } from '@azure/functions';
import { registerTimer } from '../app';
import { defaultDeps } from '../deps';
import { announceHealth } from '../../shared/health/announce-health';
import { updateDeviceHealth, type HealthDeps } from './update-device-health';

/**
 * Schedule of the health sweep (NCRONTAB, UTC): every 5 s, so that a camera failing for `CAMERA_OFFLINE_AFTER_MS`
 * (10 s) is announced offline within 15 s of the cloud hearing of it, and a device silent for `DEVICE_SILENCE_MS`
 * (45 s) within 50 s of its last status (shared/contracts/camera-health.ts).
 */
export const HEALTH_SWEEP_SCHEDULE = '*/5 * * * * *';

/**
 * The `health-sweep` timer: what time alone changes about health, which no device event reports — a camera still
 * failing after the grace becomes `offline`, a device whose heartbeats stopped without a last will becomes silent.
 * Lists every device's health rows (one table query) and runs each device with an announcement due through
 * functions/health/update-device-health.ts with nothing new (its provisioning read, its events published, its rows
 * written); a run with nothing to announce makes that one query only.
 * @returns the events published
 * @throws TransientError when storage or the event sink fails (the next run tries again)
 */
export async function healthSweep(_timer: Timer | undefined, context: InvocationContext, deps: HealthDeps = defaultDeps()): Promise<number> {
  let published = 0;
  const nowMs = deps.now();
  for (const stored of await deps.health.list()) {
    // Provisioning only takes announcements away (a disabled camera announces nothing): a device with nothing to
    // announce even without it costs no further read.
    if (announceHealth(stored.snapshot, nowMs, () => false).events.length === 0) continue;
    published += await updateDeviceHealth(stored.snapshot.deviceId, (s) => s, deps, context, stored);
  }
  if (published > 0) context.log('health sweep done', { published });
  return published;
}

registerTimer('health-sweep', {
  schedule: HEALTH_SWEEP_SCHEDULE,
  handler: async (timer, context) => {
    await healthSweep(timer, context);
  },
});
