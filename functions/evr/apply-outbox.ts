import type { InvocationContext } from '@azure/functions';
import type { OutboxEntry } from '../../shared/evr/recording-plan';
import { uploadWindowCommand } from '../../shared/contracts/upload-window';
import type { FunctionsDeps } from '../deps';

export type ApplyOutboxDeps = Pick<FunctionsDeps, 'settings' | 'recordings' | 'deviceCommands' | 'integrationEvents'>;

/**
 * Applies a gate row's outbox, in order: recordings rows (upsert: a lower sequence never replaces a higher one), then
 * the upload-window commands (QoS 1, command id `window-{apiId}-{sequence}`), then the lifecycle integration events
 * (ids `recording-started-{apiId}` / `recording-stopped-{apiId}`). Every effect is idempotent, so applying an outbox
 * twice (a crash before it was cleared, a replayed batch) sends the very same commands and events again, which
 * agents and consumers drop by id. Without `KEEPWATCH_MQTT_URL` commands are not sent: a warning per decision.
 * @param deviceId the device the commands go to
 * @throws TransientError (or the storage error) when a step fails; the caller keeps the outbox for the next attempt
 */
export async function applyOutbox(entries: readonly OutboxEntry[], deviceId: string, context: InvocationContext, deps: ApplyOutboxDeps): Promise<void> {
  if (!entries.length) return;
  await deps.recordings.upsert(entries.map((e) => e.recording));
  const commands = entries.filter((e) => e.command).map((e) => ({ deviceId, cameraId: e.command!.cameraId, event: uploadWindowCommand(e.command!, e.recording.updatedAtMs) }));
  if (!deps.settings.mqtt.url) {
    for (const c of commands) context.warn('upload-window command not sent: KEEPWATCH_MQTT_URL is not set', { deviceId, cameraId: c.cameraId, commandId: c.event.id });
  } else {
    await deps.deviceCommands.send(commands);
  }
  await deps.integrationEvents.publish(entries.flatMap((e) => e.events));
  for (const e of entries) {
    context.log('evr decision applied', { deviceId, cameraId: e.recording.cameraId, recordingId: e.recording.id, sequence: e.recording.sequence, state: e.recording.state, start: e.command ? new Date(e.command.startMs).toISOString() : undefined, end: e.command ? new Date(e.command.endMs).toISOString() : undefined });
  }
}
