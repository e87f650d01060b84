import { z } from 'zod';
import { redact } from '../../../shared/redact';
import { addProblem, rawText, shownUrl } from '../env';

/**
 * `KEEPWATCH_PUBLIC_BASE_URL`: `http(s)://host[:port][/path]` without credentials, query or fragment, put in front of
 * `/api/...` in playback URLs (functions/http/public-base-url.ts); given without trailing slash; unset or empty =
 * `undefined`.
 */
export const publicBaseUrlSchema = z.object({ KEEPWATCH_PUBLIC_BASE_URL: rawText }).transform((s, ctx) => {
  const text = s.KEEPWATCH_PUBLIC_BASE_URL;
  if (!text) return { publicBaseUrl: undefined };
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol) || url.search || url.hash || url.username || url.password) {
    addProblem(ctx, 'KEEPWATCH_PUBLIC_BASE_URL', `${shownUrl(text)} is not an http(s) URL without credentials, query or fragment`, redact(text));
    return z.NEVER;
  }
  return { publicBaseUrl: `${url.origin}${url.pathname}`.replace(/\/+$/, '') };
});
