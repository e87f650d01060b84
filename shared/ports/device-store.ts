/**
 * One provisioned device (docs/devices.md): an edge agent installation that may create segment blobs of its own
 * cameras. The device secret itself is never stored, only its SHA-256 (shared/device-secret.ts).
 */
export interface DeviceRecord {
  /** `[a-z0-9-]{1,32}` (shared/ids.ts). */
  deviceId: string;
  /** Lower-case hex SHA-256 of the device secret's UTF-8 text (64 characters). Never leaves the cloud. */
  secretSha256: string;
  /** Camera ids the device may record (upload segments of), sorted, unique, at least one. */
  cameras: string[];
  /** When the device was provisioned, epoch ms UTC. */
  createdAtMs: number;
  /** When its secret was last set (provisioning or rotation), epoch ms UTC. */
  secretSetAtMs: number;
  /** A disabled device is refused like an unknown one (401). */
  disabled: boolean;
}

/** Provisioned devices. Implemented on Table Storage by functions/adapters/table/table-device-store.ts (`{prefix}Devices`). */
export interface DeviceStore {
  /**
   * Adds a device.
   * @throws ConflictError `DeviceExists` when the id is taken
   * @throws TransientError when storage fails in a way a retry may fix
   */
  create(device: DeviceRecord): Promise<void>;
  /** @returns `undefined` for an unknown device */
  get(deviceId: string): Promise<DeviceRecord | undefined>;
  /** Every device, sorted by id. */
  list(): Promise<DeviceRecord[]>;
  /**
   * Replaces the device's secret hash (rotation): the old secret stops working at once.
   * @param atMs epoch ms UTC, stored as `secretSetAtMs`
   * @returns false for an unknown or revoked device (nothing written)
   */
  replaceSecret(deviceId: string, secretSha256: string, atMs: number): Promise<boolean>;
  /**
   * Adds cameras to the ones the device may record (sorted, unique; those it has already are kept), with the row's
   * ETag so a concurrent rotation or addition is not lost.
   * @returns false for an unknown device (nothing written)
   * @throws ConflictError `Conflict` when the row kept changing under it; TransientError
   */
  addCameras(deviceId: string, cameras: readonly string[]): Promise<boolean>;
  /**
   * Makes the device the one owner of each of `cameras`, all or none, atomically: of two devices claiming a camera at
   * the same moment exactly one succeeds. A camera claimed by another device is refused, unless that device has no
   * row, is revoked or does not list the camera, and the claim is older than a grace time (a provisioning or binding
   * writes its claims before its row); the
   * device's own claims are kept. Call it before writing the cameras into the device's row (create, addCameras), and
   * {@link releaseClaims} when that write fails. `revoke` releases the device's claims; `remove` does not (its callers
   * provision the id again at once, which releases what the id held before).
   * @param nowMs epoch ms UTC, stored with each claim
   * @returns the cameras whose claims this call wrote (to release if the row write fails)
   * @throws ConflictError `CameraOwned` naming the camera and its owner (nothing written); `Conflict` when the claims
   *   kept changing; ValidationError for bad ids or more than 100 cameras; TransientError
   */
  claimCameras(deviceId: string, cameras: readonly string[], nowMs: number): Promise<string[]>;
  /**
   * Deletes the claims that still name the device: of `cameras` (a provisioning or binding whose row write failed), or
   * all of them (an id provisioned anew: claims left by its earlier life).
   * @throws TransientError
   */
  releaseClaims(deviceId: string, cameras?: readonly string[]): Promise<void>;
  /**
   * Revokes the device: its row stays as a tombstone with `disabled: true`, so its secret is refused, its events name
   * no camera of its own (ingest dead-letters them) and its cameras may be given to another device. Segments it
   * uploaded stay. A revoked id can be provisioned again (the tombstone is replaced).
   * @returns false for an unknown or already revoked device (nothing written)
   */
  revoke(deviceId: string): Promise<boolean>;
  /**
   * Removes the device's row altogether (a re-provisioning replacing a tombstone, the local stack's own device): its
   * secret is refused from then on. Its camera claims stay; they are stale (free to another device) once they are older
   * than the claim grace time and no row of the id lists their cameras. Segments it uploaded stay.
   * @returns false for an unknown device
   */
  remove(deviceId: string): Promise<boolean>;
}
