import { randomBytes } from 'node:crypto';
import { commandSealKey, sealJson } from '../../shared/contracts/command-seal';
import { ConflictError } from '../../shared/errors';
import type { ImportedTopology } from '../../shared/pipelines/topology-importer';
import type { TableDeviceStore } from '../adapters/table/table-device-store';
import type { StoredPipeline } from '../adapters/table/table-pipeline-store';
import { pipelineActivateCommand } from '../../shared/contracts/pipeline-commands';

/**
 * How a live pipeline's cameras may travel to its device (docs/devices.md "Camera credentials in commands"):
 * - a provisioned device (enabled): sealed to its key (shared/contracts/command-seal.ts), always;
 * - any other device: in clear only when they carry no credentials (no SecretString value set, no URL with a
 *   password): an unprovisioned device has no key to seal to.
 * @returns the sealing function for {@link pipelineActivateCommand}, or undefined for clear cameras
 * @throws ConflictError `DeviceNotProvisioned` when credentials would have to travel in clear; TransientError (store)
 */
export async function cameraSealing(
  devices: Pick<TableDeviceStore, 'get'>,
  p: Pick<StoredPipeline, 'deviceId' | 'name' | 'parameters' | 'secretParameters'>,
  cameras: ImportedTopology['cameras'],
): Promise<((cameras: Array<Record<string, unknown>>, commandId: string) => string) | undefined> {
  const device = await devices.get(p.deviceId);
  if (device && !device.disabled) {
    const key = commandSealKey(device.secretSha256, device.deviceId);
    return (value, commandId) => sealJson(value, key, randomBytes(12), commandId);
  }
  if (carriesCredentials(p, cameras)) {
    throw new ConflictError(
      `live pipeline '${p.name}': device '${p.deviceId}' is not provisioned, so its camera credentials could only travel in clear; provision it (POST /api/devices) or set no credentials`,
      'DeviceNotProvisioned',
    );
  }
  return undefined;
}

/** The activate command of `p` at `generation`, its cameras sealed when {@link cameraSealing} says so. */
export async function activateCommand(devices: Pick<TableDeviceStore, 'get'>, p: StoredPipeline, generation: number, imported: ImportedTopology, nowMs: number): Promise<Record<string, unknown>> {
  const seal = await cameraSealing(devices, p, imported.cameras);
  return pipelineActivateCommand(p.name, generation, imported.cameras, imported.agent, nowMs, seal);
}

/**
 * True when a SecretString parameter has a value, or a camera holds a password: a `password` key (the camera entry's
 * RTSP password, shared/schemas/agent-config.ts) with a value, or a URL with one.
 */
function carriesCredentials(p: Pick<StoredPipeline, 'parameters' | 'secretParameters'>, cameras: ImportedTopology['cameras']): boolean {
  if (p.secretParameters.some((name) => (p.parameters[name] ?? '') !== '')) return true;
  const found = (v: unknown): boolean => {
    if (typeof v === 'string') return urlPassword(v) !== '';
    if (Array.isArray(v)) return v.some(found);
    if (!v || typeof v !== 'object') return false;
    return Object.entries(v).some(([k, x]) => (/^password$/i.test(k) && typeof x === 'string' && x !== '') || found(x));
  };
  return found(cameras);
}

function urlPassword(text: string): string {
  try {
    return new URL(text).password;
  } catch {
    return '';
  }
}
