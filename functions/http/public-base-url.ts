/**
 * The base put in front of `/api/...` in the URLs the API hands out (the playback `hlsUrl`): the configured
 * `KEEPWATCH_PUBLIC_BASE_URL`, never the request's `Host` header, which the caller (or a proxy it fools) chooses: a
 * URL built from it would send its signed token to that host. Without the setting, only a request made to a loopback
 * address (`localhost`, `127.0.0.0/8`, `[::1]`: a development host on this machine) gets its own origin back; the
 * deployment (infra/modules/functions.bicep) always sets it, to the app's default host name unless `publicBaseUrl`
 * names a custom domain.
 * @param configured `KEEPWATCH_PUBLIC_BASE_URL` as parsed (no trailing slash), or undefined
 * @param requestOrigin the request's origin, `scheme://host[:port]`
 * @throws Error (a 500 `InternalError`, logged) when the setting is missing and the request did not come to a loopback
 *   address: a misconfigured deployment, not the caller's fault
 */
export function publicBaseUrl(configured: string | undefined, requestOrigin: string): string {
  if (configured !== undefined) return configured;
  const host = new URL(requestOrigin).hostname;
  if (host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return requestOrigin;
  throw new Error(`KEEPWATCH_PUBLIC_BASE_URL is not set and the request came to ${JSON.stringify(host)}, not a loopback address: set it to the public https URL of this API (without /api)`);
}
