import { z } from 'zod';
import { addProblem, rawText } from '../env';

/**
 * `KEEPWATCH_VIEWER_ORIGINS`: comma-separated `http(s)://host[:port]` origins, as browsers send them in `Origin`, allowed
 * to read segments cross-origin (Blob CORS); entries trimmed, empty ones skipped, a trailing slash dropped, duplicates
 * once; unset = none. Each bad entry is a problem of its own.
 */
export const viewerOriginsSchema = z.object({ KEEPWATCH_VIEWER_ORIGINS: rawText }).transform((s, ctx) => {
  const origins: string[] = [];
  for (const part of (s.KEEPWATCH_VIEWER_ORIGINS ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    let url: URL | undefined;
    try {
      url = new URL(part);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol) || url.origin !== part.replace(/\/$/, '')) {
      addProblem(ctx, 'KEEPWATCH_VIEWER_ORIGINS', `entry ${JSON.stringify(part)} is not an origin such as https://viewer.example.com (scheme, host and optional port; no path)`, part);
    } else if (!origins.includes(url.origin)) origins.push(url.origin);
  }
  return { viewerOrigins: origins };
});
