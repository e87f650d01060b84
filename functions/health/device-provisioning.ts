import type { DeviceRecord } from '../adapters/table/table-device-store';
import type { StoredPipeline } from '../adapters/table/table-pipeline-store';
import type { FunctionsDeps } from '../deps';

/** What a device's provisioning and live pipelines say about its cameras' health. */
export interface HealthProvisioning {
  /** Whether the device may report the camera. */
  owns(cameraId: string): boolean;
  /** Whether the camera is `disabled`: nothing is derived or announced for it. */
  disabled(cameraId: string): boolean;
}

/**
 * What a device's provisioning says about its cameras' health (docs/devices.md, docs/api.md "Camera health"): a
 * provisioned device speaks only for the cameras it is provisioned for, and a revoked device for none; a camera of a
 * revoked device, or one its device is no longer provisioned for, is `disabled`, and so is a camera whose live
 * pipelines on the device are all deactivated (AVA's inactive pipeline: the agent stopped recording it on request). A
 * device that was never provisioned (it uploads with a connection string) speaks for every camera it reports, in its
 * own health rows only.
 * @param device the device's row, `undefined` when it was never provisioned
 * @param pipelines the device's live pipelines (functions/adapters/table/table-pipeline-store.ts)
 */
export function healthProvisioning(device: DeviceRecord | undefined, pipelines: readonly Pick<StoredPipeline, 'state' | 'cameraIds'>[] = []): HealthProvisioning {
  const running = new Set(pipelines.filter((p) => p.state === 'active' || p.state === 'activating').flatMap((p) => p.cameraIds));
  const stopped = new Set(pipelines.filter((p) => p.state === 'inactive' || p.state === 'deactivating').flatMap((p) => p.cameraIds).filter((c) => !running.has(c)));
  if (!device) return { owns: () => true, disabled: (c) => stopped.has(c) };
  const cameras = new Set(device.disabled ? [] : device.cameras);
  return { owns: (c) => cameras.has(c), disabled: (c) => !cameras.has(c) || stopped.has(c) };
}

/**
 * Reads a device's provisioning and live pipelines and makes its {@link HealthProvisioning}.
 * @throws TransientError when storage fails in a way a retry may fix
 */
export async function readHealthProvisioning(deviceId: string, deps: Pick<FunctionsDeps, 'devices' | 'pipelines'>): Promise<HealthProvisioning> {
  const [device, pipelines] = await Promise.all([deps.devices.get(deviceId), deps.pipelines.listPipelines(deviceId)]);
  return healthProvisioning(device, pipelines);
}
