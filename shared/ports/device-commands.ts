/** One command to a device about one camera: a CloudEvent (e.g. shared/contracts/upload-window.ts `uploadWindowCommand`). */
export interface DeviceCommand {
  deviceId: string;
  cameraId: string;
  /** The CloudEvent JSON object; its `id` lets the device drop redeliveries. */
  event: Record<string, unknown>;
}

/**
 * Sends commands to devices, at least once (MQTT QoS 1 on `keepwatch/{deviceId}/commands/{cameraId}`,
 * shared/contracts/topics.ts `cameraCommandsTopic`). Implemented by functions/adapters/mqtt/mqtt-device-commands.ts.
 */
export interface DeviceCommands {
  /**
   * Publishes the commands in order and resolves when the broker acknowledged each (PUBACK).
   * @throws TransientError when the broker cannot be reached or does not acknowledge
   */
  send(commands: readonly DeviceCommand[]): Promise<void>;
  /** Disconnects (idempotent). */
  close(): Promise<void>;
}
