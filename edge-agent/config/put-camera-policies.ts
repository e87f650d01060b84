import { TransientError, ValidationError } from '../../shared/errors';

/**
 * PUTs each camera's recording policy to Keepwatch's API: `PUT {apiUrl}/api/cameras/{cameraId}/policy` with the
 * function key in `x-functions-key` (docs/api.md).
 * @param apiUrl the Functions app's base URL, e.g. `https://kw.azurewebsites.net` or `http://127.0.0.1:7071`
 * @returns the camera ids set, in order
 * @throws ValidationError when the API answers 4xx (its error message included); TransientError on 5xx or a network failure
 */
export async function putCameraPolicies(apiUrl: string, apiKey: string, policies: Readonly<Record<string, Record<string, unknown>>>): Promise<string[]> {
  const base = apiUrl.replace(/\/+$/, '').replace(/\/api$/, '');
  const done: string[] = [];
  for (const [cameraId, policy] of Object.entries(policies)) {
    const url = `${base}/api/cameras/${encodeURIComponent(cameraId)}/policy`;
    let res: Response;
    try {
      res = await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json', 'x-functions-key': apiKey }, body: JSON.stringify(policy) });
    } catch (err) {
      throw new TransientError(`PUT ${url} failed: ${(err as Error).message}`, err);
    }
    const text = await res.text();
    if (!res.ok) {
      let message = text.slice(0, 500);
      try {
        message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
      } catch {
        // not JSON: keep the text
      }
      if (res.status >= 500) throw new TransientError(`PUT ${url} answered ${res.status}: ${message}`);
      throw new ValidationError(`PUT ${url} answered ${res.status}: ${message}`);
    }
    done.push(cameraId);
  }
  return done;
}
