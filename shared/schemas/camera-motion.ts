import { z } from 'zod';
import { motionDetectionSettingsSchema, parseMotionSettings, type MotionParams } from './motion-detection';

/**
 * Defaults of the agent's low-resolution grey branch (width ≤ 320 px, ≤ 5 fps, both
 * configurable). The motion presets (shared/schemas/motion-detection.ts) were tuned at 320 px, 5 fps.
 */
export const CAMERA_MOTION_DEFAULTS = { frameWidth: 320, frameRate: 5 } as const;

/**
 * A camera's `motionDetection` entry in the agent config: AVA's MotionDetectionProcessor settings
 * (shared/schemas/motion-detection.ts: sensitivity, eventAggregationWindow, outputMotionRegion,
 * tunables, zones, masks) plus the grey frames the recorder's ffmpeg produces for the detector:
 * - `frameWidth`: px, 64..320, default 320 (height follows the aspect ratio, even);
 * - `frameRate`: frames per second, integer 1..5, default 5.
 * Unknown keys are rejected. Output: `{ params: MotionParams, frameWidth, frameRate }`.
 */
export const cameraMotionSchema = motionDetectionSettingsSchema
  .extend({
    frameWidth: z.number().int().min(64).max(320).default(CAMERA_MOTION_DEFAULTS.frameWidth),
    frameRate: z.number().int().min(1).max(5).default(CAMERA_MOTION_DEFAULTS.frameRate),
  })
  .transform(({ frameWidth, frameRate, ...settings }) => ({ params: parseMotionSettings(settings), frameWidth, frameRate }));

/** A camera's validated motion detection: detector parameters (ms units) and the grey frame size and rate. */
export type CameraMotion = z.output<typeof cameraMotionSchema>;
export type { MotionParams };
