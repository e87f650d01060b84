import { BlobServiceClient } from '@azure/storage-blob';
import { viewerCorsRules } from '../shared/viewer-cors';

/**
 * Sets the Blob service CORS rules of the local storage (Azurite) for the viewer origins (`KEEPWATCH_VIEWER_ORIGINS`),
 * replacing any earlier rules; no origins removes them. In Azure this is Bicep's job (infra/), not the app's: the
 * Functions identity should not need the right to change service properties.
 * @param connectionString storage connection string (Azurite's development account)
 * @param origins validated origins, e.g. `['http://localhost:5173']`
 * @throws RestError from the SDK when the service refuses the properties
 */
export async function applyViewerCors(connectionString: string, origins: readonly string[]): Promise<void> {
  await BlobServiceClient.fromConnectionString(connectionString).setProperties({ cors: viewerCorsRules(origins) });
}
