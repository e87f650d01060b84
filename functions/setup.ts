/**
 * App-wide host options, applied on import before any function registers (functions/index.ts imports it first):
 * HTTP response streaming, which the MP4 export needs (functions/playback/export-mp4.ts).
 */
import { enableHttpStreaming } from './app';

enableHttpStreaming();
