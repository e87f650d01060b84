import type { HttpResponseInit } from '@azure/functions';
import { toIso } from '../../shared/time';
import type { PreviewImage } from './preview-lookup';

/** Response headers: the instant the image shows (ISO 8601 UTC), and `hit`/`miss` for the preview cache. */
export const PREVIEW_TIME_HEADER = 'keepwatch-preview-time';
export const PREVIEW_CACHE_HEADER = 'keepwatch-preview-cache';

/** The `200 image/jpeg` answer of the preview routes. */
export function previewResponse(image: PreviewImage, cacheControl: string): HttpResponseInit {
  return {
    status: 200,
    body: image.jpeg,
    headers: {
      'content-type': 'image/jpeg',
      'cache-control': cacheControl,
      [PREVIEW_TIME_HEADER]: toIso(image.timeMs),
      [PREVIEW_CACHE_HEADER]: image.cached ? 'hit' : 'miss',
    },
  };
}

/** The query parameter `size` of the preview routes. */
export const SIZE_PARAMETER = {
  name: 'size',
  in: 'query',
  required: false,
  description: "size class, after AVA's previewImageUrls: small 320, medium 640, large 1280 px wide (aspect kept, never scaled up)",
  schema: { type: 'string', enum: ['small', 'medium', 'large'], default: 'medium' },
} as const;

/** The answer headers of the preview routes, for the OpenAPI document. */
export const PREVIEW_HEADERS = {
  'Keepwatch-Preview-Time': { description: 'the instant the image shows, ISO 8601 UTC', schema: { type: 'string', format: 'date-time' } },
  'Keepwatch-Preview-Cache': { description: '`hit` (read from the preview cache) or `miss` (decoded now)', schema: { type: 'string', enum: ['hit', 'miss'] } },
} as const;

