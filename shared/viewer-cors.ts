/** One Blob service CORS rule, in the shape of `@azure/storage-blob` `CorsRule` and Bicep's `cors.corsRules[]`. */
export interface BlobCorsRule {
  /** Comma-separated origins. */
  allowedOrigins: string;
  /** Comma-separated methods. */
  allowedMethods: string;
  /** Comma-separated request headers a preflight may ask for. */
  allowedHeaders: string;
  /** Comma-separated response headers the browser lets scripts read. */
  exposedHeaders: string;
  /** How long a browser may cache the preflight answer, seconds. */
  maxAgeInSeconds: number;
}

/** Preflight cache time of the viewer rule, seconds (1 h: origins change with deployments, not per request). */
export const VIEWER_CORS_MAX_AGE_S = 3600;

/**
 * The Blob service CORS rules that let a browser viewer (hls.js) on `origins` fetch segment SAS URLs cross-origin:
 * read-only methods, the `Range` header hls.js may send, and the length/range headers it reads. Empty `origins` →
 * no rule (no cross-origin access). Applied to Azurite by local/blob-cors.ts; in Azure the same rule belongs in Bicep
 * (`blobServices/default` `cors.corsRules`, in infra/; Azure Storage docs, "CORS support for Azure Storage").
 * @param origins `scheme://host[:port]` origins, as validated by functions/settings.ts `KEEPWATCH_VIEWER_ORIGINS`
 */
export function viewerCorsRules(origins: readonly string[]): BlobCorsRule[] {
  if (origins.length === 0) return [];
  return [
    {
      allowedOrigins: origins.join(','),
      allowedMethods: 'GET,HEAD,OPTIONS',
      allowedHeaders: 'range,if-match,if-none-match,if-modified-since,x-ms-version,x-ms-client-request-id',
      exposedHeaders: 'content-length,content-range,content-type,etag,accept-ranges,x-ms-request-id',
      maxAgeInSeconds: VIEWER_CORS_MAX_AGE_S,
    },
  ];
}
