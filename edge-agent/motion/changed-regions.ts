/** A motion region, normalised 0..1 from the top-left corner: AVA's `motion.box` `{l, t, w, h}` (docs/reference/ava-behaviour.md "Events"). */
export interface MotionBox {
  l: number;
  t: number;
  w: number;
  h: number;
}

/** Side of the square cells changed pixels are grouped in, pixels (at 320 px wide: 40 × 23 cells). */
export const CELL_PX = 8;
/** A cell joins a region when at least this fraction of its pixels changed; isolated noise pixels do not. */
const CELL_FILL = 0.2;

/**
 * Groups changed pixels into regions (8-connected cells of CELL_PX²) and keeps those covering at
 * least `minimumChangedArea` of the frame (counting changed pixels only).
 * @param changed row-major `width * height`, 1 = changed
 * @param minimumChangedArea fraction of the frame, 0..1
 * @returns the regions' bounding boxes, normalised, largest region first
 */
export function changedRegions(changed: Uint8Array, width: number, height: number, minimumChangedArea: number): MotionBox[] {
  const cw = Math.ceil(width / CELL_PX);
  const ch = Math.ceil(height / CELL_PX);
  const cellCount = new Uint32Array(cw * ch);
  for (let y = 0; y < height; y++) {
    const cy = Math.floor(y / CELL_PX) * cw;
    for (let x = 0; x < width; x++) if (changed[y * width + x]) cellCount[cy + Math.floor(x / CELL_PX)]++;
  }
  const on = new Uint8Array(cw * ch);
  for (let c = 0; c < on.length; c++) {
    const cx = c % cw;
    const cy = Math.floor(c / cw);
    const area = (Math.min(width, (cx + 1) * CELL_PX) - cx * CELL_PX) * (Math.min(height, (cy + 1) * CELL_PX) - cy * CELL_PX);
    on[c] = cellCount[c] >= area * CELL_FILL ? 1 : 0;
  }
  const seen = new Uint8Array(cw * ch);
  const found: Array<{ pixels: number; box: MotionBox }> = [];
  const minPixels = minimumChangedArea * width * height;
  for (let start = 0; start < on.length; start++) {
    if (!on[start] || seen[start]) continue;
    let pixels = 0;
    let x0 = cw;
    let y0 = ch;
    let x1 = -1;
    let y1 = -1;
    const stack = [start];
    seen[start] = 1;
    while (stack.length) {
      const c = stack.pop()!;
      const cx = c % cw;
      const cy = Math.floor(c / cw);
      pixels += cellCount[c];
      x0 = Math.min(x0, cx);
      y0 = Math.min(y0, cy);
      x1 = Math.max(x1, cx);
      y1 = Math.max(y1, cy);
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = cx + dx;
          const ny = cy + dy;
          if (nx < 0 || ny < 0 || nx >= cw || ny >= ch) continue;
          const n = ny * cw + nx;
          if (on[n] && !seen[n]) {
            seen[n] = 1;
            stack.push(n);
          }
        }
      }
    }
    if (pixels < minPixels) continue;
    const left = x0 * CELL_PX;
    const top = y0 * CELL_PX;
    found.push({
      pixels,
      box: { l: left / width, t: top / height, w: (Math.min(width, (x1 + 1) * CELL_PX) - left) / width, h: (Math.min(height, (y1 + 1) * CELL_PX) - top) / height },
    });
  }
  return found.sort((a, b) => b.pixels - a.pixels).map((f) => f.box);
}
