import { randomBytes } from 'node:crypto';
import type { InvocationContext } from '@azure/functions';
import { uploadWindowCommand } from '../../shared/contracts/upload-window';
import { livePresenceStep } from '../../shared/evr/live-presence';
import type { FunctionsDeps } from '../deps';

/** What {@link keepLiveUploads} needs. */
export type LivePresenceDeps = Pick<FunctionsDeps, 'settings' | 'policies' | 'cameras' | 'gates' | 'livePresence' | 'deviceCommands'>;

/**
 * A live playlist reload of an EVR camera keeps its agent uploading each segment as it closes (docs/live.md "What
 * live costs"): the cloud's presence window (shared/evr/live-presence.ts) is opened or extended and sent to the
 * camera's device as an EVR `command.upload-window` (shared/contracts/upload-window.ts), with a window id no recording
 * has; the agent honours it like a recording's window. Nobody reloading, the window runs out after a minute and the
 * camera uploads only its recordings again. CVR cameras: nothing (every segment is uploaded anyway).
 * Of concurrent reloads only the one whose presence write wins sends the command. Never throws: a failure is logged as
 * a warning and the playlist is served as it is (the next extension, within 30 s, sends the window again).
 * @param nowMs epoch ms UTC
 */
export async function keepLiveUploads(deps: LivePresenceDeps, cameraId: string, nowMs: number, context: InvocationContext): Promise<void> {
  try {
    const policy = await deps.policies.get(cameraId);
    if (policy?.document.mode !== 'evr') return;
    const stored = await deps.livePresence.get(cameraId);
    const next = livePresenceStep(stored?.presence, nowMs, `${String(nowMs).padStart(13, '0')}-${randomBytes(6).toString('hex')}`);
    if (!next) return;
    const deviceId = (await deps.cameras.getCamera(cameraId))?.deviceId ?? (await deps.gates.get(cameraId))?.deviceId;
    if (!deviceId) {
      context.warn('live upload window not sent: no device known for the camera yet', { cameraId });
      return;
    }
    if (!(await deps.livePresence.put(cameraId, next, stored?.etag, nowMs))) return; // another reload sends it
    if (!deps.settings.mqtt.url) {
      context.warn('live upload window not sent: KEEPWATCH_MQTT_URL is not set', { cameraId, deviceId });
      return;
    }
    const window = { cameraId, recordingId: next.windowId, startMs: next.startMs, endMs: next.endMs, final: false, sequence: next.sequence };
    await deps.deviceCommands.send([{ deviceId, cameraId, event: uploadWindowCommand(window, nowMs) }]);
    context.log('live upload window sent', { cameraId, deviceId, windowId: next.windowId, sequence: next.sequence, end: new Date(next.endMs).toISOString() });
  } catch (err) {
    context.warn('live upload window not sent', { cameraId, error: err instanceof Error ? err.message : String(err) });
  }
}
