/**
 * Hands out read-only and create-only URLs of single segment blobs. Implementations: a service SAS from the account
 * key (functions/adapters/blob/service-sas-signer.ts; Azurite and dev accounts) and a user-delegation SAS from the Functions
 * app's identity (functions/adapters/blob/user-delegation-sas-signer.ts; production accounts have shared-key access
 * disabled).
 */
export interface SasSigner {
  /**
   * @param blobName a segment blob name in the recordings container
   * @param expiresOnMs epoch ms UTC after which the URL stops working
   * @returns absolute URL of the blob with a SAS that permits read (`sp=r`) of that blob only (`sr=b`)
   */
  blobReadUrl(blobName: string, expiresOnMs: number): Promise<string>;
  /**
   * Signs one URL per blob; batched because a 24 h playlist holds thousands (a user-delegation signer fetches its
   * key once per batch).
   * @param blobNames segment blob names in the recordings container
   * @param expiresOnMs epoch ms UTC after which the URLs stop working
   * @returns absolute URLs, in the order of `blobNames`, each with a SAS that permits read (`sp=r`) of that blob
   *   only (`sr=b`)
   */
  blobReadUrls(blobNames: readonly string[], expiresOnMs: number): Promise<string[]>;
  /**
   * The signing of {@link blobReadUrls} as a synchronous function, for callers that sign thousands of URLs while
   * writing them out (a 24 h playlist: 8,640) and should not keep them all (functions/playback/playlist-body.ts).
   * @param expiresOnMs epoch ms UTC after which the URLs stop working
   * @returns a function giving, for a segment blob name, the same URL {@link blobReadUrls} gives for it
   */
  blobReadUrlSigner(expiresOnMs: number): Promise<(blobName: string) => string>;
  /**
   * Signs one create-only URL per blob (`sp=c`, `sr=b`): the holder can create that blob once and do nothing else
   * (no read, list, overwrite or delete). For device uploads (docs/devices.md).
   * @param blobNames segment blob names in the recordings container
   * @param expiresOnMs epoch ms UTC after which the URLs stop working
   * @returns absolute URLs, in the order of `blobNames`
   */
  blobCreateUrls(blobNames: readonly string[], expiresOnMs: number): Promise<string[]>;
}
