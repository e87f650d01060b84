import type { InvocationContext } from '@azure/functions';
import { TransientError } from '../../shared/errors';
import { announceHealth } from '../../shared/health/announce-health';
import type { DeviceHealthSnapshot } from '../../shared/health/health-records';
import type { StoredHealth } from '../adapters/table/table-health-store';
import type { FunctionsDeps } from '../deps';
import { readHealthProvisioning } from './device-provisioning';

/** Attempts of read-decide-write when another writer (the sweep, another ingest) changed the rows meanwhile. */
const ATTEMPTS = 5;

export type HealthDeps = Pick<FunctionsDeps, 'health' | 'devices' | 'pipelines' | 'integrationEvents' | 'now'>;

/**
 * One step of a device's health: applies `change` to its rows, decides the health events the result calls for at now
 * (shared/health/announce-health.ts), publishes them, then writes the rows `If-Match` what was read. Events go before
 * the rows: a crash in between publishes them again with the same ids (at least once, consumers dedupe on `id`), never
 * records an announcement that was not sent. When another writer changed the rows meanwhile, it reads and decides again.
 * @param read the rows as already read (the sweep's listing), else they are read here
 * @returns the events published
 * @throws TransientError when storage or the event sink fails, or writers keep colliding
 */
export async function updateDeviceHealth(
  deviceId: string,
  change: (snapshot: DeviceHealthSnapshot, owns: (cameraId: string) => boolean) => DeviceHealthSnapshot,
  deps: HealthDeps,
  context: InvocationContext,
  read?: StoredHealth,
): Promise<number> {
  const provisioning = await readHealthProvisioning(deviceId, deps);
  let published = 0;
  let stored = read;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    stored ??= await deps.health.read(deviceId);
    const changed = change(stored.snapshot, provisioning.owns);
    const { snapshot, events } = announceHealth(changed, deps.now(), provisioning.disabled);
    if (events.length > 0) {
      await deps.integrationEvents.publish(events);
      published += events.length;
      for (const e of events) context.log('health event published', { type: e.type, id: e.id, subject: e.subject });
    }
    if (await deps.health.write(stored, snapshot)) return published;
    stored = undefined;
  }
  throw new TransientError(`health rows of device '${deviceId}' kept changing under concurrent writers; gave up after ${ATTEMPTS} attempts`);
}
