import { z } from 'zod';
import { SECOND_MS, parseIsoDuration, toIsoDuration } from '../time';
import { parseWith } from '../validation/format-issues';

/**
 * Numeric tunables behind AVA's `sensitivity` (AVA published only the three names, docs/reference/ava-behaviour.md
 * "Nodes"; the numbers are Keepwatch's, tuned on the clips in test/fixtures/media at 320 px wide, 5 fps):
 * - `pixelThreshold`: grey levels (0..255) a pixel must differ from the background, after the
 *   background is matched to the frame's exposure, to count as changed.
 * - `minimumChangedArea`: fraction (0..1) of the frame that one connected changed region must cover.
 * - `blurRadius`: box-blur radius in pixels applied before differencing (sensor and compression noise).
 * - `backgroundTimeConstantMs`: how fast the background follows the scene (exponential, ms); also how
 *   long an object that stopped or left keeps showing as motion, roughly × ln(contrast / pixelThreshold).
 */
export const MOTION_SENSITIVITY_PRESETS = {
  low: { pixelThreshold: 40, minimumChangedArea: 0.01, blurRadius: 2, backgroundTimeConstantMs: 1000 },
  medium: { pixelThreshold: 25, minimumChangedArea: 0.003, blurRadius: 2, backgroundTimeConstantMs: 1000 },
  high: { pixelThreshold: 15, minimumChangedArea: 0.001, blurRadius: 1, backgroundTimeConstantMs: 1000 },
} as const;

/**
 * Defaults: AVA's samples use `medium`; `eventAggregationWindow` PT1S and `outputMotionRegion` true are AVA's defaults
 * (docs/reference/ava-behaviour.md "Nodes").
 */
export const MOTION_DEFAULTS = {
  sensitivity: 'medium',
  eventAggregationWindow: 'PT1S',
  outputMotionRegion: true,
} as const;

/** Upper bound of `eventAggregationWindow`: AVA gave none; a window longer than the shortest gate minimum (PT1S..) would delay recordings. */
export const EVENT_AGGREGATION_WINDOW_MAX_MS = 10 * SECOND_MS;

const point = z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).meta({ description: '[x, y]' });
/**
 * A polygon as `[[x, y], …]`, x from the left, y from the top, both normalised 0..1 (AVA's line-crossing convention,
 * docs/reference/ava-behaviour.md "Nodes").
 */
export const polygonSchema = z.array(point).min(3, 'expected a polygon of at least 3 [x, y] points');

/** The motion detection settings of one camera (AVA `MotionDetectionProcessor` keys plus Keepwatch's). Unknown keys are rejected. */
export const motionDetectionSettingsSchema = z.strictObject({
  /** AVA: low | medium | high; picks the tunables below (MOTION_SENSITIVITY_PRESETS); AVA writes `Medium` too, so case is ignored. */
  sensitivity: z
    .string()
    .default(MOTION_DEFAULTS.sensitivity)
    .transform((s) => s.toLowerCase())
    .pipe(z.enum(['low', 'medium', 'high'], { error: 'expected low, medium or high' })),
  /** AVA: emit motion boxes (default true); false gives signals without boxes. AVA topologies write it as a boolean. */
  outputMotionRegion: z.boolean().default(MOTION_DEFAULTS.outputMotionRegion),
  /** AVA: ISO 8601 duration, PT0S..PT10S, default PT1S; motion within one window becomes one signal; PT0S = one signal per frame with motion. */
  eventAggregationWindow: z
    .string()
    .default(MOTION_DEFAULTS.eventAggregationWindow)
    .superRefine((text, ctx) => {
      let ms: number;
      try {
        ms = parseIsoDuration(text, 'eventAggregationWindow');
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message.replace('eventAggregationWindow ', '') });
        return;
      }
      if (ms < 0 || ms > EVENT_AGGREGATION_WINDOW_MAX_MS) {
        ctx.addIssue({ code: 'custom', message: `${text} is outside PT0S..${toIsoDuration(EVENT_AGGREGATION_WINDOW_MAX_MS)}` });
      }
    }),
  /** Overrides the preset: grey levels 1..255. */
  pixelThreshold: z.number().int().min(1).max(255).optional(),
  /** Overrides the preset: fraction of the frame, 0 < x ≤ 1. */
  minimumChangedArea: z.number().gt(0).max(1).optional(),
  /** Overrides the preset: pixels, 0..8. */
  blurRadius: z.number().int().min(0).max(8).optional(),
  /** Overrides the preset: ms, 100..60 000. */
  backgroundTimeConstantMs: z.number().int().min(100).max(60_000).optional(),
  /** Only motion inside one of these polygons counts (Keepwatch; AVA could not, video-analyzer#59). Empty or absent = the whole frame. */
  zones: z.array(polygonSchema).default([]),
  /** Motion inside these polygons never counts (e.g. a tree, a road, a TV). */
  masks: z.array(polygonSchema).default([]),
});

/** A polygon in normalised coordinates, `[[x, y], …]`. */
export type NormalisedPolygon = Array<[number, number]>;

/** Validated motion parameters, units in the names; what the detector takes. */
export interface MotionParams {
  pixelThreshold: number;
  minimumChangedArea: number;
  blurRadius: number;
  backgroundTimeConstantMs: number;
  eventAggregationWindowMs: number;
  outputMotionRegion: boolean;
  zones: NormalisedPolygon[];
  masks: NormalisedPolygon[];
}

/**
 * Validates motion detection settings: the sensitivity preset, then any tunable set directly.
 * @param doc `{ sensitivity?, eventAggregationWindow?, outputMotionRegion?, pixelThreshold?, minimumChangedArea?, blurRadius?, backgroundTimeConstantMs?, zones?, masks? }`
 * @param what names the document in messages, e.g. `camera 'door-1' motion`
 * @throws ValidationError naming every bad or unknown key, e.g. `motion: sensitivity: expected low, medium or high`
 */
export function parseMotionSettings(doc: unknown, what = 'motion'): MotionParams {
  const s = parseWith(motionDetectionSettingsSchema, doc ?? {}, what);
  const preset = MOTION_SENSITIVITY_PRESETS[s.sensitivity];
  return {
    pixelThreshold: s.pixelThreshold ?? preset.pixelThreshold,
    minimumChangedArea: s.minimumChangedArea ?? preset.minimumChangedArea,
    blurRadius: s.blurRadius ?? preset.blurRadius,
    backgroundTimeConstantMs: s.backgroundTimeConstantMs ?? preset.backgroundTimeConstantMs,
    eventAggregationWindowMs: parseIsoDuration(s.eventAggregationWindow, 'eventAggregationWindow'),
    outputMotionRegion: s.outputMotionRegion,
    zones: s.zones,
    masks: s.masks,
  };
}
