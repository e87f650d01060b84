/**
 * A device's MQTT sessions on the broker, ended when its credential stops being valid (docs/devices.md "Rotation",
 * "Revocation"): the broker checks credentials at CONNECT only, so a connection made before stays open, receiving
 * commands, until something closes it. Implemented by the local broker (local/broker.ts `endDeviceSessions`), which the
 * local stack hands to the functions (functions/deps.ts `setProcessDepsOverrides`); in Azure by no code: the operator
 * disables the device's Event Grid client (docs/devices.md), and {@link noDeviceSessions} says so.
 */
export interface DeviceSessions {
  /**
   * Closes every connection of the device now and refuses one that was authenticating meanwhile; `revoked` also drops
   * its persistent session (subscriptions and the commands queued for it).
   * @returns true when the broker ended them, false when this broker cannot be told (Azure: disable the client)
   * @throws TransientError when the broker could not be reached
   */
  end(deviceId: string, reason: 'rotated' | 'revoked'): Promise<boolean>;
}

/** No broker the functions can reach: nothing is ended (Azure; the operator disables the Event Grid client). */
export const noDeviceSessions: DeviceSessions = { end: async () => false };
