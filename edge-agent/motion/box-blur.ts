/**
 * Separable box blur of a grey image (mean over a (2r+1)² square, edges clamped).
 * Takes out sensor and compression noise before frame differencing.
 * @param src grey levels 0..255, row-major, `width * height` long
 * @param radius pixels; 0 returns a copy
 * @returns a new Float32Array of the same size
 */
export function boxBlur(src: ArrayLike<number>, width: number, height: number, radius: number): Float32Array {
  const out = Float32Array.from(src);
  if (radius <= 0) return out;
  const tmp = new Float32Array(width * height);
  const n = 2 * radius + 1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let sum = 0;
    for (let k = -radius; k <= radius; k++) sum += out[row + Math.min(width - 1, Math.max(0, k))];
    for (let x = 0; x < width; x++) {
      tmp[row + x] = sum / n;
      sum += out[row + Math.min(width - 1, x + radius + 1)] - out[row + Math.max(0, x - radius)];
    }
  }
  for (let x = 0; x < width; x++) {
    let sum = 0;
    for (let k = -radius; k <= radius; k++) sum += tmp[Math.min(height - 1, Math.max(0, k)) * width + x];
    for (let y = 0; y < height; y++) {
      out[y * width + x] = sum / n;
      sum += tmp[Math.min(height - 1, y + radius + 1) * width + x] - tmp[Math.max(0, y - radius) * width + x];
    }
  }
  return out;
}
