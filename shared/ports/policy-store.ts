import type { RecordingPolicyDocument } from '../schemas/recording-policy';

/** A camera's stored recording policy. */
export interface StoredPolicy {
  cameraId: string;
  document: RecordingPolicyDocument;
  /** Opaque version; the HTTP `ETag`. Changes on every write that changes the document. */
  etag: string;
  /** When the document last changed, epoch ms UTC. */
  updatedAtMs: number;
}

/** Per-camera recording policies. Implemented on Table Storage by functions/adapters/table/table-policy-store.ts. */
export interface PolicyStore {
  /** @returns `undefined` when the camera has no policy (the defaults apply) */
  get(cameraId: string): Promise<StoredPolicy | undefined>;
  /**
   * Stores the document. Idempotent: storing the document already stored writes nothing and keeps the ETag.
   * @param ifMatch when given, the write happens only if the stored ETag equals it (`*`: only if a policy exists)
   * @param nowMs the `updatedAtMs` of a changed document
   * @throws PreconditionFailedError when `ifMatch` does not match (or there is no policy to match)
   * @throws TransientError when storage fails in a way a retry may fix
   */
  put(cameraId: string, document: RecordingPolicyDocument, options: { ifMatch?: string; nowMs: number }): Promise<StoredPolicy>;
}
