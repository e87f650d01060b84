/** Number of background grey-level bins the tone curve is fitted on (8 grey levels each). */
const BINS = 32;

/**
 * Re-lights the background to the frame's exposure, so that a global brightness change (camera
 * auto-exposure, lights switched on) is not taken for motion (the car clip in
 * test/fixtures/media darkens from ~119 to ~63 mean grey when a white car enters).
 *
 * Fits a monotone tone curve background → frame: for each bin of background grey levels, the median
 * of the frame's grey levels at those pixels. Medians keep a moving object (a minority of pixels in
 * any bin) from bending the curve; a curve rather than a gain handles gamma and clipping.
 * @param frame blurred grey levels of the new frame
 * @param background the running background, same size
 * @returns the background mapped through the curve (a new array)
 */
export function matchExposure(frame: Float32Array, background: Float32Array): Float32Array {
  const hist = new Uint32Array(BINS * 256);
  const counts = new Uint32Array(BINS);
  for (let i = 0; i < frame.length; i += 2) {
    const b = Math.min(BINS - 1, Math.floor(background[i] / (256 / BINS)));
    hist[b * 256 + Math.min(255, Math.max(0, Math.round(frame[i])))]++;
    counts[b]++;
  }
  // control points: (bin centre, median frame level) for bins with enough pixels to be trusted
  const xs: number[] = [];
  const ys: number[] = [];
  const minCount = Math.max(20, (frame.length / 2) * 0.002);
  for (let b = 0; b < BINS; b++) {
    if (counts[b] < minCount) continue;
    let acc = 0;
    let v = 0;
    for (; v < 256; v++) {
      acc += hist[b * 256 + v];
      if (acc * 2 >= counts[b]) break;
    }
    xs.push((b + 0.5) * (256 / BINS));
    ys.push(ys.length ? Math.max(v, ys[ys.length - 1]) : v); // monotone: exposure never inverts grey order
  }
  const lut = new Float32Array(256);
  for (let g = 0; g < 256; g++) {
    if (xs.length === 0) lut[g] = g;
    else if (xs.length === 1 || g <= xs[0]) lut[g] = ys[0] + (g - xs[0]) * (xs.length > 1 ? (ys[1] - ys[0]) / (xs[1] - xs[0]) : 1);
    else if (g >= xs[xs.length - 1]) {
      const n = xs.length - 1;
      lut[g] = ys[n] + (g - xs[n]) * ((ys[n] - ys[n - 1]) / (xs[n] - xs[n - 1]));
    } else {
      let k = 1;
      while (xs[k] < g) k++;
      lut[g] = ys[k - 1] + ((g - xs[k - 1]) * (ys[k] - ys[k - 1])) / (xs[k] - xs[k - 1]);
    }
  }
  const out = new Float32Array(background.length);
  for (let i = 0; i < background.length; i++) {
    const g = Math.min(255, Math.max(0, background[i]));
    const lo = Math.floor(g);
    const f = g - lo;
    out[i] = Math.min(255, Math.max(0, lut[lo] + (lo < 255 ? f * (lut[lo + 1] - lut[lo]) : 0)));
  }
  return out;
}
