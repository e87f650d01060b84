import type { InvocationContext } from '@azure/functions';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import type { FunctionsDeps } from '../../functions/deps';
import { parseSegmentBlobName } from '../../shared/contracts/blob-naming';
import { ingest, type IngestDeps, type IngestSummary } from '../../functions/ingest/ingest';
import type { FunctionsSettings } from '../../functions/settings';

/** What a `segment.uploaded` event claims of its blob. */
export interface ClaimedBlob {
  blobName: string;
  bytes: number;
  sha256: string;
}

/**
 * The blobs the `segment.uploaded` events in `messages` claim: plain CloudEvents, or routed through Event Grid
 * (`data` object, `data` JSON string, `data_base64`), each as an object, a JSON string or bytes. Anything else, and
 * names that are not segment blob names, are skipped (a test's malformed messages have no blob to store).
 */
export function claimedBlobs(messages: readonly unknown[]): ClaimedBlob[] {
  const out: ClaimedBlob[] = [];
  for (const m of messages) {
    const event = innerEvent(m);
    const data = event?.type === 'segment.uploaded' ? (event.data as Record<string, unknown> | undefined) : undefined;
    if (data && typeof data.blobName === 'string' && parseSegmentBlobName(data.blobName) && typeof data.bytes === 'number' && typeof data.sha256 === 'string' && data.bytes > 0 && data.bytes <= 64 * 1024 * 1024) {
      out.push({ blobName: data.blobName, bytes: data.bytes, sha256: data.sha256 });
    }
  }
  return out;
}

/**
 * Stores, as the agent does before it publishes, a block blob for every blob the `segment.uploaded` events in
 * `messages` claim: the claimed size (zero bytes of content: tests that read media upload real segments themselves)
 * and the claimed SHA-256 in its `sha256` metadata. A blob that exists is left as it is (`If-None-Match: *`), so the
 * same event may be stored twice. Ingest checks each event against its blob (functions/ingest/ingest-device-claims.ts).
 * @param settings account-key settings (Azurite)
 */
export async function storeClaimedBlobs(settings: FunctionsSettings, messages: readonly unknown[]): Promise<number> {
  const blobs = claimedBlobs(messages);
  const container = recordingsContainer(settings);
  if (blobs.length > 0) await container.createIfNotExists();
  for (let i = 0; i < blobs.length; i += 32) {
    await Promise.all(
      blobs.slice(i, i + 32).map(async (b) => {
        try {
          await container.getBlockBlobClient(b.blobName).uploadData(Buffer.alloc(b.bytes), { metadata: { sha256: b.sha256 }, conditions: { ifNoneMatch: '*' } });
        } catch (err) {
          if ((err as { statusCode?: number }).statusCode !== 409) throw err;
        }
      }),
    );
  }
  return blobs.length;
}

/** {@link storeClaimedBlobs}, then the real ingest handler: a batch as an honest agent's uploads would have left it. */
export async function ingestStored(messages: unknown[], context: InvocationContext, deps: IngestDeps & Pick<FunctionsDeps, 'settings'>): Promise<IngestSummary> {
  await storeClaimedBlobs(deps.settings, messages);
  return ingest(messages, context, deps);
}

/** The recordings container of account-key settings. @throws Error for identity-based settings */
export function recordingsContainer(settings: FunctionsSettings): ContainerClient {
  if (settings.storage.kind !== 'connection-string') throw new Error('storeClaimedBlobs needs account-key (Azurite) settings');
  return BlobServiceClient.fromConnectionString(settings.storage.connectionString).getContainerClient(settings.recordingsContainer);
}

function innerEvent(message: unknown): Record<string, unknown> | undefined {
  const value = asObject(message);
  if (!value) return undefined;
  if (value.type !== 'MQTT.EventPublished') return value;
  if (typeof value.data_base64 === 'string') return asObject(Buffer.from(value.data_base64, 'base64'));
  return asObject(value.data);
}

function asObject(v: unknown): Record<string, unknown> | undefined {
  let value = v;
  try {
    if (value instanceof Uint8Array) value = JSON.parse(Buffer.from(value).toString('utf8'));
    else if (typeof value === 'string') value = JSON.parse(value);
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
