import type { NormalisedPolygon } from '../../shared/schemas/motion-detection';

/** Even-odd test of the point (x, y) against a polygon, all normalised 0..1. */
function inside(poly: NormalisedPolygon, x: number, y: number): boolean {
  let hit = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i];
    const [xj, yj] = poly[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) hit = !hit;
  }
  return hit;
}

/**
 * Which pixels count for motion: inside a zone (or anywhere when there are no zones) and in no mask.
 * A pixel is tested at its centre, ((x + 0.5) / width, (y + 0.5) / height).
 * @param zones polygons in normalised coordinates (x from the left, y from the top)
 * @param masks polygons in normalised coordinates
 * @returns row-major `width * height` array, 1 = counts, 0 = ignored
 */
export function rasterizeRegions(width: number, height: number, zones: readonly NormalisedPolygon[], masks: readonly NormalisedPolygon[]): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const ny = (y + 0.5) / height;
    for (let x = 0; x < width; x++) {
      const nx = (x + 0.5) / width;
      const inZone = zones.length === 0 || zones.some((z) => inside(z, nx, ny));
      out[y * width + x] = inZone && !masks.some((m) => inside(m, nx, ny)) ? 1 : 0;
    }
  }
  return out;
}
