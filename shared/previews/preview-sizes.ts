/**
 * The size classes of preview images, after AVA's `previewImageUrls` `{small, medium, large}`
 * (docs/reference/ava-behaviour.md; docs/previews.md "Sizes"): each is a width in pixels; the height keeps the
 * camera's aspect ratio (rounded to an even number), and an image is never scaled up beyond the camera's own width.
 */
export const PREVIEW_WIDTHS = { small: 320, medium: 640, large: 1280 } as const;

/** `small` (320 px wide), `medium` (640 px) or `large` (1280 px). */
export type PreviewSize = keyof typeof PREVIEW_WIDTHS;

/** The size names, smallest first. */
export const PREVIEW_SIZES = Object.keys(PREVIEW_WIDTHS) as PreviewSize[];

/** The size a request without `size` gets: `medium`. */
export const DEFAULT_PREVIEW_SIZE: PreviewSize = 'medium';
